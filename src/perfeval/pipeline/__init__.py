"""The one pipeline every command goes through (从文件到结果).

read (:mod:`perfeval.fileio`) → parse with positions → validate the rubric (its soundness checks,
once per rubric and cached for a batch: :mod:`.rubrics`) → validate the department against it
(:mod:`.departments`) → score → audit and reconcile → one :class:`~.reports.FileReport` per file,
which every reporter (:mod:`perfeval.reporting`) renders. :mod:`.batch` runs many files, in
worker processes if asked, keeping the input order.
"""
