"""The department workbook, read and written with openpyxl.

openpyxl parses with lxml whenever lxml is installed (python-docx, which ``perfeval extract`` uses, brings
it), and with the standard library's parser through defusedxml otherwise; the two refuse different files
(lxml stops at 256 levels of nesting, a styles part real workbooks never reach but a valid one may).
perfeval reads every workbook the same way whatever else is installed: through defusedxml, as tested —
unless the user chose otherwise by setting ``OPENPYXL_LXML`` themselves. (Set here, before any module of
this package imports openpyxl, which reads the variable once, when it is first imported.)
"""

import os

os.environ.setdefault("OPENPYXL_LXML", "False")
