"""`--sample N --by 资金规模|偏差|random --seed S`: units picked for 重点评价, each with why; every unit still
checked and listed; a unit that cannot be read (or lacks the figure) is reported and never sampled; the
random sample is the same for the same seed."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.core.sampling import Candidate, SampleRequest, draw
from test_check_findings import mutated

D = Decimal


def candidate(index: int, spending: str | None = "100", self_score: str | None = "90", audited: str | None = "90"):
    return Candidate(
        index,
        f"d{index}.yaml",
        f"单位{index}",
        True,
        None if spending is None else D(spending),
        None if self_score is None else D(self_score),
        None if audited is None else D(audited),
    )


# --- the draw itself -------------------------------------------------------------------------------------


def test_by_size_the_largest_spending_first_with_the_figure() -> None:
    units = [candidate(0, "500"), candidate(1, "1295.87"), candidate(2, None), candidate(3, "800")]
    sample = draw(SampleRequest(2, "size"), units)
    assert [(p.index, p.value) for p in sample.picked] == [(1, D("1295.87")), (3, D("800"))]
    assert sample.picked[0].reason == "实际支出 1,295.87 万元，3 个单位中第 1 大"
    assert [(e.index, e.reason) for e in sample.excluded] == [
        (2, "未填实际支出（基本支出与项目支出，或实际支出合计），无法按资金规模排序")
    ]
    assert sample.heading == "抽样结果：按资金规模抽取 2 个单位（共 4 个文件，可参与抽样 3 个）"


def test_by_deviation_the_largest_self_minus_audited_and_ties_keep_the_input_order() -> None:
    units = [
        candidate(0, self_score="90", audited="90"),
        candidate(1, self_score="98.7", audited="96.2"),
        candidate(2, self_score="80", audited="81"),
        candidate(3, self_score="95", audited=None),
        candidate(4, self_score="91", audited="91"),
    ]
    sample = draw(SampleRequest(3, "deviation"), units)
    assert [p.index for p in sample.picked] == [1, 0, 4]
    assert sample.picked[0].reason == "自评 98.7 分，审核 96.2 分，偏差 +2.5 分，4 个单位中第 1 大"
    assert [e.index for e in sample.excluded] == [3]


def test_an_unreadable_unit_is_reported_and_never_sampled() -> None:
    units = [Candidate(0, "bad.yaml", None, False, None, None, None), candidate(1)]
    for by, seed in (("size", None), ("deviation", None), ("random", 1)):
        sample = draw(SampleRequest(5, by, seed), units)
        assert [p.index for p in sample.picked] == [1]
        assert [(e.file, e.reason) for e in sample.excluded] == [("bad.yaml", "无法读取，不参与抽样")]
        assert "要求 5 个，可参与的不足，全部抽取" in sample.heading


def test_random_is_the_same_for_the_same_seed_and_documented_as_python_s_random() -> None:
    units = [candidate(i) for i in range(20)]
    first = draw(SampleRequest(5, "random", 2024), units)
    assert first == draw(SampleRequest(5, "random", 2024), units)
    # as docs/config.md says: each unit in input order draws Random(seed).random(); the 5 smallest are taken
    rng = random.Random(2024)
    draws = [rng.random() for _ in units]
    expected = sorted(range(20), key=lambda i: draws[i])[:5]
    assert [p.index for p in first.picked] == expected
    assert first.picked[0].reason == "按种子 2024 随机抽取（第 1 个抽中）"
    others = {tuple(p.index for p in draw(SampleRequest(5, "random", s), units).picked) for s in range(10)}
    assert len(others) > 1  # the seed matters


# --- through the command line --------------------------------------------------------------------------------

BIG = [["    total: 1196.42           # 小计", "    total: 2196.42           # 小计"]]  # 实际支出 2,295.87
IN_YUAN = [  # the same 1,295.87 万元 in 元, and a basic/project split a reviewer cannot miss
    ["amount_unit: 万元", "amount_unit: 元\ntolerance: 100"],
    ["    total: 1196.42           # 小计", "    total: 31964200"],
    ["    wages_welfare: 519.06    # 工资福利支出", "    wages_welfare: 5190600"],
    ["    goods_services: 329.39   # 商品和服务支出", "    goods_services: 3293900"],
    ["    household_subsidies: 347.97  # 对个人和家庭补助", "    household_subsidies: 23479700"],
    ["      total: 99.45           # 小计", "      total: 994500"],
    ["      goods_services: 99.45  # 商品和服务支出", "      goods_services: 994500"],
]
OVER = [["budget_adjustment_rate: 1.5", "budget_adjustment_rate: 2"], ["  total: 98.2", "  total: 98.7"]]


@pytest.fixture
def county(tmp_path: Path) -> list[Path]:
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: [县政府办\n", encoding="utf-8")
    return [
        mutated(tmp_path, [], "a-example.yaml"),
        mutated(tmp_path, BIG, "b-big.yaml"),
        broken,
        mutated(tmp_path, OVER, "d-over.yaml"),
    ]


def check(*args: str):
    return CliRunner().invoke(app, ["check", "--isolated", *args])


def test_by_size_in_text_every_unit_listed_and_the_sample_after_them(county: list[Path]) -> None:
    result = check(*map(str, county), "--sample", "2", "--by", "资金规模")
    assert result.exit_code == 2  # broken.yaml: the exit code is the batch's, sample or not
    out = result.stdout
    assert out.count("结论：") == 3 and "broken.yaml：无法读取" in out  # every unit is checked and listed
    section = out[out.index("抽样结果") :]
    assert section.startswith("抽样结果：按资金规模抽取 2 个单位（共 4 个文件，可参与抽样 3 个）")
    assert f"1. 第 2 个文件 桃江县人民政府办公室（{county[1]}）：实际支出 2,295.87 万元，3 个单位中第 1 大" in section
    assert "2. 第 1 个文件" in section and "实际支出 1,295.87 万元，3 个单位中第 2 大" in section
    assert f"第 3 个文件 {county[2]}：无法读取，不参与抽样" in section
    assert check(*map(str, county), "--sample", "2", "--by", "size").stdout.endswith(out[out.index("抽样结果") :])


def test_by_deviation_in_json(county: list[Path]) -> None:
    doc = json.loads(check(*map(str, county), "--sample", "1", "--by", "deviation", "-f", "json").stdout)
    sample = doc["sample"]
    assert (sample["by"], sample["by_label"], sample["size"], sample["seed"]) == ("deviation", "偏差", 1, None)
    assert (sample["files"], sample["eligible"]) == (4, 3)
    assert sample["units"] == [
        {
            "rank": 1,
            "index": 3,
            "file": str(county[3]),
            "unit": "桃江县人民政府办公室",
            "value": "0.01",  # 预算调整率's 2 capped below its full marks: 1.99
            "reason": "自评 98.7 分，审核 98.69 分，偏差 +0.01 分，3 个单位中第 1 大",
        }
    ]
    assert sample["excluded"] == [{"index": 2, "file": str(county[2]), "unit": None, "reason": "无法读取，不参与抽样"}]
    assert len(doc["files"]) == 4  # every file, the sample beside them
    assert "sample" not in json.loads(check(*map(str, county), "-f", "json").stdout)


def test_a_department_in_yuan_is_ranked_in_wan(tmp_path: Path) -> None:
    yuan = mutated(tmp_path, IN_YUAN, "yuan.yaml")
    doc = json.loads(check(str(yuan), str(mutated(tmp_path, BIG, "big.yaml")), "--sample", "2", "-f", "json").stdout)
    assert [(u["file"], u["value"]) for u in doc["sample"]["units"]] == [
        (str(tmp_path / "yuan.yaml"), "3295.87"),  # 31,964,200 + 994,500 元 = 3,295.87 万元
        (str(tmp_path / "big.yaml"), "2295.87"),
    ]


def test_random_with_a_seed_is_reproducible_and_without_one_says_its_seed(county: list[Path]) -> None:
    args = [*map(str, county), "--sample", "2", "--by", "random", "-f", "json"]
    first = json.loads(check(*args, "--seed", "7").stdout)["sample"]
    assert first == json.loads(check(*args, "--seed", "7").stdout)["sample"]
    assert first["seed"] == 7 and all(u["reason"].startswith("按种子 7 随机抽取") for u in first["units"])
    drawn = check(*map(str, county), "--sample", "2", "--by", "random").stdout
    seed = re.search(r"抽样结果：随机（种子 (\d+)）抽取 2 个单位", drawn)
    assert seed is not None
    again = json.loads(check(*args, "--seed", seed.group(1)).stdout)["sample"]
    assert [u["file"] for u in again["units"]] == re.findall(r"第 \d 个文件 桃江县人民政府办公室（([^）]+)）", drawn)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--by", "偏差"], "--by 只与 --sample N 一起使用"),
        (["--seed", "3"], "--seed 只与 --sample N 一起使用"),
        (["--sample", "2", "--seed", "3"], "--seed 只用于随机抽样（--by random）"),
        (["--sample", "0"], "--sample"),
        (["--sample", "2", "--by", "规模"], "--by"),
    ],
)
def test_sampling_usage_mistakes(county: list[Path], args: list[str], says: str) -> None:
    result = check(str(county[0]), *args)
    assert result.exit_code == 2 and says in result.stderr, result.stderr


def test_the_sample_in_the_workpaper_and_the_report(county: list[Path], tmp_path: Path) -> None:
    book = tmp_path / "review.xlsx"
    check(*map(str, county), "--sample", "1", "--output", str(book))
    notes = [c.value for c in openpyxl.load_workbook(book)["汇总"]["A"] if isinstance(c.value, str)]
    assert "抽样结果：按资金规模抽取 1 个单位（共 4 个文件，可参与抽样 3 个）" in notes
    assert any("实际支出 2,295.87 万元，3 个单位中第 1 大" in n for n in notes)
    html = tmp_path / "review.html"
    result = CliRunner().invoke(
        app, ["report", "--isolated", *map(str, county), "-o", str(html), "--sample", "1", "--by", "偏差"]
    )
    assert result.exit_code == 2  # broken.yaml
    page = html.read_text(encoding="utf-8")
    assert '<h2 id="sample">抽样结果：按偏差抽取 1 个单位' in page
    assert '<a href="#unit-4">4. 桃江县人民政府办公室</a>' in page and "偏差 +0.01 分" in page
