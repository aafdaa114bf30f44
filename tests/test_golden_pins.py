"""Each golden file still carries the domain facts it is meant to pin (tests/golden/pins.yaml).

The comparison tests check that the output equals its golden file; these check the golden files
themselves, so a wrong figure regenerated into one (or edited by hand) fails here.
"""

from __future__ import annotations

import pytest

from goldens import PINS, TESTS, lost_pins

GOLDEN_DIRS = (TESTS / "golden", TESTS / "data" / "golden")
NOT_GOLDEN = {"README.md", "pins.yaml"}


@pytest.mark.parametrize("name", sorted(PINS))
def test_golden_file_carries_its_facts(name: str) -> None:
    text = (TESTS / name).read_text(encoding="utf-8")
    assert lost_pins(name, text) == []


def test_every_golden_file_has_pins_and_a_maker() -> None:
    on_disk = {
        p.relative_to(TESTS).as_posix()
        for d in GOLDEN_DIRS
        for p in d.iterdir()
        if p.is_file() and p.name not in NOT_GOLDEN
    }
    assert on_disk == set(PINS)
    for name, entry in PINS.items():
        test_file, _, test_name = entry["made_by"].partition("::")
        source = (TESTS.parent / test_file).read_text(encoding="utf-8")
        assert f"def {test_name}(" in source and "check_golden(" in source, f"{name}: made_by {entry['made_by']}"
        assert entry["pins"], name
