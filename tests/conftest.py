import os
from pathlib import Path

import pytest

# openpyxl reads workbooks through defusedxml whatever else is installed (python-docx brings lxml, which
# openpyxl would otherwise prefer): as perfeval.fileio.workbook sets it, before any test imports openpyxl
os.environ.setdefault("OPENPYXL_LXML", "False")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT
