"""Reporters (输出格式): one registry, each reporter fed the same :class:`~perfeval.pipeline.reports.FileReport`.

Stream policy, the same for every command (docs/output.md): the requested report goes to stdout;
human diagnostics — the problems of a file that could not be read, progress, and summaries — go to
stderr. ``json`` and ``github`` put every file's problems in the report, readable or not.
"""
