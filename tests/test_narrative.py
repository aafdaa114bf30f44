"""The errors reviewers find again and again in 自评报告 narratives, each as a short report text: extracted
(``perfeval extract``), then checked (``perfeval check``). The texts are written the way such reports are,
not in one report's phrases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.copying import batch_findings
from perfeval.core.department import Department
from perfeval.core.problems import Problem
from perfeval.pipeline.departments import load
from perfeval.pipeline.reports import check_file

runner = CliRunner()


def report(unit: str, body: str) -> str:
    return f"{unit}2019年度部门整体支出绩效自评报告\n\n一、部门概况\n\n{unit}是县人民政府工作部门。\n\n{body}\n"


def extracted(tmp_path: Path, text: str, name: str = "report") -> Path:
    source = tmp_path / f"{name}.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.yaml"
    result = runner.invoke(app, ["extract", str(source), "-r", "taojiang-2019", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def problems(tmp_path: Path, body: str, unit: str = "桃江县某某局") -> list[Problem]:
    return check_file(extracted(tmp_path, report(unit, body))).problems


def codes(found: list[Problem]) -> set[str]:
    return {p.code for p in found}


# --- a stated change against the amounts it comes from ------------------------------------------------


def test_a_stated_change_the_stated_amounts_do_not_give(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年公务接待费支出9.20万元，比上年15.20万元下降42.86%。")
    [p] = [p for p in found if p.code == "claim-contradicted"]
    assert "公务接待费较上年变动率 -42.86%" in p.message and "-39.47%" in p.message
    assert "原文：2019年公务接待费支出9.20万元，比上年15.20万元下降42.86%。" in p.message


def test_a_stated_change_the_amounts_do_give_is_not_a_finding(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年公务接待费支出9.20万元，比上年15.20万元下降39.47%。")
    assert not codes(found) & {"claim-contradicted", "claim-rounding"}


def test_a_change_of_something_without_a_field_is_checked_against_the_sentence_s_amounts(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年培训费支出6.00万元，比上年8.00万元减少30%。")
    [p] = [p for p in found if p.code == "claim-contradicted"]
    assert "按正文所列金额" in p.message and "-25%" in p.message


def test_a_stated_difference_is_checked_too(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年公务接待费支出9.20万元，比上年15.20万元减少7.00万元。")
    [p] = [p for p in found if p.code == "claim-contradicted"]
    assert "公务接待费较上年变动额" in p.message and "-6.00" in p.message


# --- growth from a zero base ------------------------------------------------------------------------


def test_growth_of_100_percent_from_a_zero_base(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年因公出国（境）费支出11.00万元，上年0万元，增长100%。")
    [p] = [p for p in found if p.code == "rate-from-zero-base"]
    assert "上年数为 0" in p.message and "增长100%" not in p.message or "100%" in p.message


def test_growth_from_a_zero_base_of_something_without_a_field(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年培训费支出5.00万元，上年0万元，增长100%。")
    assert "rate-from-zero-base" in codes(found)


def test_growth_from_a_real_base_is_not_a_zero_base(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年因公出国（境）费支出11.00万元，上年5.50万元，增长100%。")
    assert "rate-from-zero-base" not in codes(found) and "claim-contradicted" not in codes(found)


# --- counts against the lists they count -------------------------------------------------------------

ORGANS = "秘书组、政务一室、政务二室（经济研究室）、政务三室、县政府金融办、值班室、县长热线办公室、督查室"


def test_a_count_that_its_list_does_not_bear_out(tmp_path: Path) -> None:
    found = problems(tmp_path, f"本单位设9个内设机构：{ORGANS}。机关行政编制46名。")
    [p] = [p for p in found if p.code == "count-list-mismatch"]
    assert "正文称“9个内设机构”" in p.message and "所列的却是 8 个" in p.message
    assert p.amounts["stated"] == 9 and p.amounts["expected"] == 8


def test_a_count_its_list_bears_out(tmp_path: Path) -> None:
    found = problems(tmp_path, f"本单位设8个内设机构：{ORGANS}。")
    assert "count-list-mismatch" not in codes(found)


@pytest.mark.parametrize(
    "sentence, mismatch",
    [
        ("下设办公室、财务股、审批股和监督股共4个股室。", False),  # the last two joined by 和
        ("下设办公室、财务股、审批股和监督股共5个股室。", True),
        ("以经济研究室、综合信息室两个文字组室为核心。", False),
        ("以经济研究室、综合信息室三个文字组室为核心。", True),
        ("主要有秘书组、值班室等9个内设机构。", False),  # 等: the list does not claim to be all
        ("每位领导明确一名班子成员、一名法律服务员、一名文稿综合协调员。", False),  # not a count of a list
        ("取消行政权力91项、调整41项、新增15项。", False),
        ("存贷比增加6.18个百分点，有效缓解了融资难、融资贵问题。", False),
        ("县政府办设九个内设机构：" + ORGANS + "。", True),  # a count in characters
    ],
)
def test_counts_and_lists_as_reports_write_them(sentence: str, mismatch: bool) -> None:
    from perfeval.core.narrative import _counts

    assert bool(_counts(sentence, 0)) is mismatch, [p.message for p in _counts(sentence, 0)]


# --- spending above income with no 结转 mentioned ------------------------------------------------------


def test_spending_above_income_with_no_carryover_mentioned(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年度收入总计100.00万元。2019年度支出合计120.00万元，预算执行良好。")
    [p] = [p for p in found if p.code == "spending-without-carryover"]
    assert "多 20.00 万元" in p.message and "上年结转" in p.message


def test_spending_above_income_that_the_narrative_explains(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年度收入总计100.00万元，上年结转20.00万元。2019年度支出合计120.00万元。")
    assert "spending-without-carryover" not in codes(found)


def test_spending_within_income_is_no_question(tmp_path: Path) -> None:
    found = problems(tmp_path, "2019年度收入总计100.00万元。2019年度支出合计99.00万元。")
    assert "spending-without-carryover" not in codes(found)


# --- one unit's text in another unit's report ----------------------------------------------------------

SHARED = (
    "围绕乡村振兴战略，全面推进农村人居环境整治，组织开展村庄清洁行动，完成农村改厕任务，建成一批美丽乡村示范村，"
    "群众获得感和满意度明显提升，受到上级表彰，为全县经济社会高质量发展提供了坚实保障。"
    "同时坚持问题导向，建立健全长效管护机制，落实专人负责，定期开展督查暗访，确保各项工作落到实处。"
)
TEMPLATE = (
    "通过全面开展财政支出绩效评价，强化财政支出绩效理念，科学合理编制年度预算，切实发挥财政资金资源配置作用，"
    "进一步推动工作的精细、规范、高效，进一步提升综合协调、参谋辅政、督导督办、为民服务的水平。"
)


def batch(tmp_path: Path, bodies: dict[str, str]) -> dict[str, list[Problem]]:
    units: list[tuple[str, Department]] = []
    for n, (unit, body) in enumerate(bodies.items()):
        path = extracted(tmp_path, report(unit, body), f"unit{n}")
        units.append((unit, load(path).department))
    return batch_findings(units)


def test_a_passage_copied_from_another_unit_s_report(tmp_path: Path) -> None:
    found = batch(
        tmp_path,
        {
            "桃江县农业农村局": f"{SHARED}本级项目70个。",
            "桃江县水利局": f"本局项目17个。{SHARED}",
            "桃江县林业局": "全年造林2.5万亩。",
        },
    )
    assert codes(found["桃江县农业农村局"]) == {"shared-passage"}
    [p] = found["桃江县水利局"]
    assert p.code == "shared-passage" and "桃江县农业农村局" in p.message and "逐字相同" in p.message
    assert found["桃江县林业局"] == []


def test_boilerplate_most_units_share_is_not_a_finding(tmp_path: Path) -> None:
    found = batch(tmp_path, {f"桃江县第{n}局": f"{TEMPLATE}全年完成任务{n}项。" for n in "一二三四"})
    assert all(v == [] for v in found.values()), found


def test_another_unit_s_name_where_a_report_speaks_of_itself(tmp_path: Path) -> None:
    found = batch(
        tmp_path,
        {
            "桃江县水利局": "桃江县农业农村局是县政府工作部门，负责全县农业农村工作。本局项目17个。",
            "桃江县农业农村局": "本局联合桃江县水利局开展防汛检查。",
        },
    )
    assert codes(found["桃江县水利局"]) == {"other-unit-name"}
    assert found["桃江县农业农村局"] == []  # naming a partner is not copying


def test_another_unit_s_figures(tmp_path: Path) -> None:
    found = batch(
        tmp_path,
        {
            "桃江县水利局": "本局实施本级项目70个，服务对象满意度达到96.5%。",
            "桃江县农业农村局": "全年实施本级项目70个，农户满意度达到96.5%。",
            "桃江县林业局": "全年实施本级项目12个。",
        },
    )
    assert codes(found["桃江县水利局"]) == {"shared-figure"}
    messages = " ".join(p.message for p in found["桃江县水利局"])
    assert "本级项目70个" in messages and "桃江县农业农村局" in messages
    assert "96.5%" not in messages  # the same rate of different things (服务对象 / 农户) is no sign
    assert found["桃江县林业局"] == []


def test_one_unit_s_reports_of_different_years_are_not_compared(tmp_path: Path) -> None:
    found = batch(tmp_path, {"桃江县水利局": SHARED})
    assert found == {"桃江县水利局": []}


# --- extraction artefacts -----------------------------------------------------------------------------


def test_extraction_artefacts_are_read_as_meant(tmp_path: Path) -> None:
    body = (
        "2019年度收入总计１，２９５．８７万元。"  # full-width digits
        "2019年度支出合计1, 295. 87万元。"  # spaces an extractor put inside the number
        "年未结余0.00万元。"  # 年末 misread
        "按县财预〔2020 7号文件要求，在职人员控制率Q100%，编制使用率W95%。"  # a lost bracket; ≤ read as Q, W
    )
    path = extracted(tmp_path, report("桃江县某某局", body))
    dept = load(path).department
    assert dept.basic_data.income.total == Decimal("1295.87")
    assert dept.basic_data.spending.total == Decimal("1295.87")
    assert dept.basic_data.balance.total == Decimal("0.00")
    text = path.read_text(encoding="utf-8")
    listed = text.split("未归入任何栏目的数字", 1)[1]
    assert "100%（" in listed and "95%（" in listed and "不是所称的数" in listed  # thresholds, not claims
    assert "- 2020" not in listed and "- 7" not in listed  # a document number, not figures
    assert not any(c.indicator == "staff_control_rate" for c in dept.claims)


def test_a_spreadsheet_float_is_the_short_decimal_it_stands_for() -> None:
    from perfeval.core.report_text import clean_float

    assert clean_float("0.0900000762939453") == (
        Decimal("0.09"),
        "原文 0.0900000762939453（表格软件的浮点误差），读作 0.09",
    )
    assert clean_float("0.123456789") == (Decimal("0.123456789"), None)  # nine real places: not a float's noise
    assert clean_float("1295.87") == (Decimal("1295.87"), None)


def test_a_spreadsheet_float_in_a_table_is_read_as_the_short_decimal_it_is(tmp_path: Path) -> None:
    table = (
        "附件1\n\n基础数据表\n\n"
        "年初预算支出计划\t\t\t收入来源\n"
        "小计\t基本支出\t项目支出\t小计\n"
        "100.00\t60.0000000000001\t40.00\t100.00\n"
    )
    path = extracted(tmp_path, report("桃江县某某局", table))
    dept = load(path).department
    assert dept.basic_data.initial_budget.basic == Decimal("60")
    assert "原文 60.0000000000001（表格软件的浮点误差），读作 60" in path.read_text(encoding="utf-8")


def test_check_over_a_batch_compares_the_reports_and_says_where(tmp_path: Path) -> None:
    """`perfeval check` over several extracted departments: the cross-unit findings after the units, each at its
    own file, in text and in JSON; a single file is not compared with anything."""
    import json

    from typer.testing import CliRunner

    from perfeval.cli.app import app

    paths = [
        extracted(tmp_path, report(unit, body), f"unit{n}")
        for n, (unit, body) in enumerate(
            {"桃江县农业农村局": f"{SHARED}本级项目70个。", "桃江县水利局": f"本局项目17个。{SHARED}"}.items()
        )
    ]
    runner = CliRunner()
    text = runner.invoke(app, ["check", *map(str, paths)])
    assert "跨单位核对（各单位报告正文之间）：2 处" in text.stdout
    assert f"{paths[0]}:" in text.stdout.split("跨单位核对")[1] and "[shared-passage]" in text.stdout
    doc = json.loads(runner.invoke(app, ["check", *map(str, paths), "-f", "json"]).stdout)
    assert [p["code"] for p in doc["across_units"]] == ["shared-passage", "shared-passage"]
    assert {p["location"]["file"] for p in doc["across_units"]} == {str(p) for p in paths}
    ignored = runner.invoke(app, ["check", *map(str, paths), "--ignore", "shared-passage"])
    assert "跨单位核对" not in ignored.stdout
    # warnings: they count under --strict (with every per-file warning but them selected away)
    only = runner.invoke(app, ["check", *map(str, paths), "--select", "shared-passage", "--strict"])
    none = runner.invoke(app, ["check", *map(str, paths), "--select", "other-unit-name", "--strict"])
    assert (only.exit_code, none.exit_code) == (1, 0), only.stdout
    single = runner.invoke(app, ["check", str(paths[0])])
    assert "跨单位核对" not in single.stdout
