"""``perfeval extract``: a 绩效自评报告 (PDF, Word or text) read into a department file.

Readers (:mod:`.read_text`, :mod:`.read_docx`, :mod:`.read_pdf`) give one :class:`.document.Document`
of paragraphs and tables with their places; the table finders (:mod:`.basic_table`, :mod:`.score_table`)
and the narrative reader (:mod:`.narrative`) place what they find; :mod:`.build` makes the department
file. The PDF and Word libraries are imported only by their readers, so that nothing else in perfeval
pays for them.
"""
