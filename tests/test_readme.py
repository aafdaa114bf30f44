"""The README's fact catalogue is the catalogue: every fact a formula may use is listed there."""

from __future__ import annotations

import re
from pathlib import Path

from perfeval.core.facts import CATALOGUE

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SANGONG_PART = re.compile(
    r"sangong_(budget|prior_budget|actual|prior_actual)_(overseas_travel|vehicle_purchase|vehicle_operation|reception)"
)


def test_every_catalogue_fact_is_in_the_readme_table() -> None:
    table = README[README.index("#### The fact catalogue") : README.index("## Numbers and rounding")]
    missing = [
        name
        for name in CATALOGUE
        if f"`{name}`" not in table and not (SANGONG_PART.fullmatch(name) and "`sangong_<column>_<part>`" in table)
    ]
    assert missing == [], f"add these facts to README.md's fact catalogue: {missing}"
