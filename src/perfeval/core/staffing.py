"""Staff (人员编制与在职人数): 编制数 from the staff lines by the categories a rubric counts, the readings a
rubric leaves open, and the staff figures against one another. Pure."""

from __future__ import annotations

from decimal import Decimal

from perfeval.core.department import Department
from perfeval.core.problems import ERROR, WARNING, Problem, finding
from perfeval.core.tables import STAFF_CATEGORY_LABELS

# 编制数 counts these categories unless the rubric says otherwise (staff_basis); 工勤 is left open
DEFAULT_STAFF_BASIS = ("administrative", "institutional", "other")


def authorized_staff(d: Department, basis: tuple[str, ...] | None) -> Decimal | None:
    """编制数 from the staff lines: the categories the rubric counts; None when the lines hold a category
    whose counting the rubric leaves open (工勤), or when there are none."""
    lines = d.staff.authorized
    if not lines:
        return None
    counted = basis if basis is not None else DEFAULT_STAFF_BASIS
    if basis is None and any(line.category not in counted for line in lines):
        return None  # which categories count is the rubric's to say: see staff_readings
    return Decimal(sum(line.count for line in lines if line.category in counted))


def staff_readings(d: Department) -> list[tuple[str, Decimal]]:
    """The readings of 编制数 a rubric without staff_basis leaves open: (which categories, the count)."""
    lines = d.staff.authorized or []
    open_ = sorted({line.category for line in lines if line.category not in DEFAULT_STAFF_BASIS})
    if not open_:
        return []
    base = [line for line in lines if line.category in DEFAULT_STAFF_BASIS]
    base_names = "、".join(dict.fromkeys(STAFF_CATEGORY_LABELS[line.category] for line in base)) or "（无）"
    readings = [(f"只计{base_names}", Decimal(sum(line.count for line in base)))]
    with_open = "、".join(STAFF_CATEGORY_LABELS[c] for c in open_)
    readings.append((f"计入{with_open}", Decimal(sum(line.count for line in lines))))
    return readings


def staff_problems(d: Department) -> list[Problem]:
    """人数: 合计 = 在职在岗 + 离退休; 编制 lines against a 编制数 stated under facts."""
    st = d.staff
    out: list[Problem] = []
    if st.total is not None and st.in_post is not None and st.retired is not None:
        summed = st.in_post + st.retired
        if summed != st.total:
            out.append(
                finding(
                    "staff-mismatch",
                    ERROR,
                    f"人员合计 {st.total} 人与在职在岗 {st.in_post} 人 + 离退休 {st.retired} 人 = {summed} 人不符",
                    ("staff", "total"),
                    amounts={"stated": Decimal(st.total), "expected": Decimal(summed)},
                )
            )
    stated = d.facts.get("authorized_staff")
    if st.authorized and stated is not None:
        lines = sum(line.count for line in st.authorized)
        if Decimal(lines) != stated:
            out.append(
                finding(
                    "staff-mismatch",
                    WARNING,
                    f"facts 中的编制数 {stated} 与编制各行之和 {lines} 不符；按 facts 中的数核算，请核对",
                    ("facts", "authorized_staff"),
                    amounts={"stated": stated, "expected": Decimal(lines)},
                )
            )
    return out
