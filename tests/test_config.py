"""The configuration file (docs/config.md): found upwards from the working folder as ruff finds its own,
read from perfeval.toml, .perfeval.toml or pyproject.toml's [tool.perfeval]; --config and --isolated; the
rubric's precedence (--rubric > the file's rubric: > the configuration's); a bad file refused, located."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.cli.settings import Options, make_settings
from perfeval.core.config import DeviationThreshold
from perfeval.core.problems import InputError
from perfeval.fileio.config_file import find_config
from test_check_findings import EXAMPLE, RUBRIC, mutated

# the example's warnings: one income-spending-gap and eight unverifiable
GAP = "income-spending-gap"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def check_json(*args: str) -> dict:
    result = run("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A repository with departments in a subfolder; the working folder two levels below its root."""
    root = tmp_path / "county"
    (root / ".git").mkdir(parents=True)
    (root / "depts" / "2019").mkdir(parents=True)
    mutated(root / "depts" / "2019", [], "dept.yaml")
    monkeypatch.chdir(root / "depts" / "2019")
    return root


def codes(doc: dict) -> list[str]:
    return [p["code"] for f in doc["files"] for p in f["problems"]]


# --- discovery ---------------------------------------------------------------------------------------


def test_found_upwards_from_the_working_folder_and_named_under_verbose(project: Path) -> None:
    (project / "perfeval.toml").write_text(f'ignore = ["{GAP}"]\n', encoding="utf-8")
    doc = check_json("dept.yaml")
    assert GAP not in codes(doc) and doc["files"][0]["counts"]["ignored"] == 1
    result = run("check", "-v", "dept.yaml", "--no-table")
    assert f"配置：使用 {project / 'perfeval.toml'}" in result.stderr
    assert "已忽略 1 个（income-spending-gap 1 个）" in result.stdout
    quiet = run("check", "dept.yaml", "--no-table")
    assert "配置：" not in quiet.stderr  # said only under --verbose


def test_pyproject_tool_perfeval_is_read_and_one_without_it_is_passed_over(project: Path) -> None:
    (project / "pyproject.toml").write_text(f'[tool.perfeval]\nignore = ["{GAP}"]\n', encoding="utf-8")
    (project / "depts" / "pyproject.toml").write_text(  # perfeval's own: it names perfeval, has no [tool.perfeval]
        '[project]\nname = "perfeval"\n[tool.ruff]\nline-length = 100\n', encoding="utf-8"
    )
    assert find_config(Path.cwd()) == project / "pyproject.toml"
    assert GAP not in codes(check_json("dept.yaml"))
    result = run("check", "--verbose", "dept.yaml")
    assert f"配置：使用 {project / 'pyproject.toml'}[tool.perfeval]" in result.stderr


def test_the_closest_folder_wins_and_in_one_folder_the_dotted_name_first(project: Path) -> None:
    (project / "perfeval.toml").write_text('ignore = ["unverifiable"]\n', encoding="utf-8")
    here = project / "depts"
    (here / "pyproject.toml").write_text('[tool.perfeval]\nselect = ["over-claimed"]\n', encoding="utf-8")
    assert find_config(Path.cwd()) == here / "pyproject.toml"  # not merged with the one above
    (here / "perfeval.toml").write_text(f'ignore = ["{GAP}"]\n', encoding="utf-8")
    assert find_config(Path.cwd()) == here / "perfeval.toml"
    (here / ".perfeval.toml").write_text("", encoding="utf-8")
    assert find_config(Path.cwd()) == here / ".perfeval.toml"
    assert codes(check_json("dept.yaml")).count("unverifiable") == 8  # the empty one applies: nothing ignored


def test_the_search_stops_at_the_repository_root(project: Path) -> None:
    (project.parent / "perfeval.toml").write_text(f'ignore = ["{GAP}"]\n', encoding="utf-8")  # above the repository
    assert find_config(Path.cwd()) is None
    assert GAP in codes(check_json("dept.yaml"))
    (project / ".git").rmdir()  # no longer a repository: the search goes on up
    assert find_config(Path.cwd()) == project.parent / "perfeval.toml"


def test_config_names_the_file_and_isolated_reads_none(project: Path, tmp_path: Path) -> None:
    (project / "perfeval.toml").write_text(f'ignore = ["{GAP}"]\n', encoding="utf-8")
    other = tmp_path / "review-2024.toml"
    other.write_text('ignore = ["unverifiable"]\n', encoding="utf-8")
    named = codes(check_json("--config", str(other), "dept.yaml"))
    assert GAP in named and "unverifiable" not in named
    isolated = codes(check_json("--isolated", "dept.yaml"))
    assert GAP in isolated and "unverifiable" in isolated
    assert codes(check_json("--no-config", "dept.yaml")) == isolated
    both = run("check", "--config", str(other), "--isolated", "dept.yaml")
    assert both.exit_code == 2 and "--config 与 --isolated（--no-config）不能同时使用" in both.stderr
    missing = run("check", "--config", "nowhere.toml", "dept.yaml")
    assert missing.exit_code == 2 and "nowhere.toml: 错误：配置文件不存在" in missing.stderr


def test_the_configuration_format_is_the_default_and_format_overrides_it(project: Path) -> None:
    (project / "perfeval.toml").write_text('format = "json"\n', encoding="utf-8")
    assert json.loads(run("check", "dept.yaml").stdout)["format"] == "perfeval/check@2"
    assert run("check", "-f", "github", "dept.yaml").stdout.startswith("::warning ")
    assert json.loads(run("score", "dept.yaml").stdout)["format"] == "perfeval/score@2"


def test_the_settings_carry_the_deviation_threshold_typed(project: Path) -> None:
    (project / "perfeval.toml").write_text('[deviation_threshold]\nrate = "10%"\npoints = 1.5\n', encoding="utf-8")
    settings, loaded = make_settings(Options())
    assert settings.deviation_threshold == DeviationThreshold(rate=Decimal("0.1"), points=Decimal("1.5"))
    assert loaded is not None and settings.config_file == project / "perfeval.toml"


# --- 对账容差 ------------------------------------------------------------------------------------------

OFF_BY_3_CENTS = [["wages_welfare: 519.06", "wages_welfare: 519.09"]]


def test_the_configuration_tolerance_and_the_department_file_s_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    mutated(tmp_path, OFF_BY_3_CENTS, "dept.yaml")
    assert "sum-mismatch" in codes(check_json("--isolated", "dept.yaml"))  # 0.03 over the 0.01 default
    (tmp_path / "perfeval.toml").write_text("tolerance = 0.05\n", encoding="utf-8")
    doc = check_json("dept.yaml")
    assert "sum-mismatch" not in codes(doc) and "rounding-difference" in codes(doc)
    assert doc["files"][0]["exit_code"] == 0
    own = mutated(tmp_path, [*OFF_BY_3_CENTS, ["amount_unit: 万元", "amount_unit: 万元\ntolerance: 0.01"]], "own.yaml")
    assert "sum-mismatch" in codes(check_json(own.name))  # the file's own tolerance comes first


# --- the rubric: --rubric > the file's rubric: > the configuration's ------------------------------------


def _rubric_copy(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(RUBRIC.read_bytes())
    return path


def _without_rubric(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace("rubric: ../rubrics/taojiang-2019.yaml\n", "")
    path = folder / "no-rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _used(doc: dict) -> str:
    return Path(doc["files"][0]["rubric"]["file"]).name


def test_a_department_without_rubric_uses_the_configuration_s_relative_to_it(project: Path) -> None:
    _rubric_copy(project / "rubrics", "county.yaml")
    _without_rubric(Path.cwd())
    refused = run("check", "no-rubric.yaml")
    assert refused.exit_code == 2 and "部门文件没有写 rubric（评分表）" in refused.stderr
    assert "或在配置文件 perfeval.toml 中写 rubric" in refused.stderr
    (project / "perfeval.toml").write_text('rubric = "rubrics/county.yaml"\n', encoding="utf-8")  # from the root
    doc = check_json("no-rubric.yaml")
    assert _used(doc) == "county.yaml" and doc["files"][0]["audited_score"] == "98.2"
    assert run("score", "no-rubric.yaml").exit_code == 0
    assert run("validate", "no-rubric.yaml").exit_code == 0


def test_the_file_s_rubric_beats_the_configuration_s_and_rubric_beats_both(project: Path) -> None:
    _rubric_copy(project / "rubrics", "county.yaml")
    _rubric_copy(project / "rubrics", "named-by-file.yaml")
    given = _rubric_copy(project / "rubrics", "given.yaml")
    (project / "perfeval.toml").write_text('rubric = "rubrics/county.yaml"\n', encoding="utf-8")
    text = _without_rubric(Path.cwd()).read_text(encoding="utf-8")
    Path("named.yaml").write_text("rubric: ../../rubrics/named-by-file.yaml\n" + text, encoding="utf-8")
    assert _used(check_json("named.yaml")) == "named-by-file.yaml"
    assert _used(check_json("--rubric", str(given), "named.yaml")) == "given.yaml"
    assert _used(check_json("--rubric", str(given), "no-rubric.yaml")) == "given.yaml"
    assert _used(check_json("no-rubric.yaml")) == "county.yaml"


def test_a_shipped_rubric_id_as_the_default(project: Path) -> None:
    (project / "perfeval.toml").write_text('rubric = "taojiang-2019"\n', encoding="utf-8")
    _without_rubric(Path.cwd())
    assert check_json("no-rubric.yaml")["files"][0]["rubric"]["id"] == "taojiang_2019"


# --- a bad configuration: located, in Chinese, exit 2 ----------------------------------------------------

BAD = [  # (the file, where the problem is, what it says, its code)
    (
        "deviation-threshold = 1\n",
        "perfeval.toml:1:1",
        "没有 'deviation-threshold' 这一项；是否想写 'deviation_threshold'（偏离阈值）？",
        "unknown-key",
    ),
    ('format = "text"\n  ignroe = []\n', "perfeval.toml:2:3", "是否想写 'ignore'（忽略的问题代码）？", "unknown-key"),
    (
        'ignore = ["over-claimd"]\n',
        "perfeval.toml:1:11",
        "'over-claimd' 不是 perfeval 的问题代码；是否想写 over-claimed（高报）",
        "unknown-code",
    ),
    (
        'select = ["yaml-syntax"]\n',
        "perfeval.toml:1:11",
        "yaml-syntax（YAML 语法错误）表示文件无法读取",
        "code-not-selectable",
    ),
    (
        'select = "over-claimed"\n',
        "perfeval.toml:1:10",
        '这里应为列表（写在方括号中，如 ["over-claimed"]）',
        "wrong-type",
    ),
    ('format = "xml"\n', "perfeval.toml:1:10", "“xml” 不是可选值之一", "not-an-option"),
    ("tolerance = -1\n", "perfeval.toml:1:13", "-1 不能小于 0", "out-of-bounds"),
    ('[severity]\nincome-spending-gap = "fatal"\n', "perfeval.toml:2:23", "“fatal” 不是可选值之一", "not-an-option"),
    (
        'rubric = "nowhere.yaml"\n',
        "perfeval.toml:1:10",
        "rubric（默认评分表）指向的文件 'nowhere.yaml' 不存在",
        "rubric-not-found",
    ),
    (
        "rubric = taojiang\n",
        "perfeval.toml:1:10",
        "配置文件不是有效的 TOML（Invalid value）：值写得不对：文字要加双引号",
        "toml-syntax",
    ),
    ('ignore = ["a",\n', "perfeval.toml:2:1", "配置文件不是有效的 TOML", "toml-syntax"),
    ("[severity]\n[severity]\n", "perfeval.toml:2:10", "同一个表写了两次", "toml-syntax"),
]


@pytest.mark.parametrize(("text", "where", "says", "code"), BAD, ids=[b[0].split("=")[0].strip() for b in BAD])
def test_a_bad_configuration_is_located_and_refused(project: Path, text: str, where: str, says: str, code: str) -> None:
    (project / "perfeval.toml").write_text(text, encoding="utf-8")
    result = run("check", "dept.yaml")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{project / where}: 错误：" in result.stderr, result.stderr
    assert says in result.stderr and result.stderr.rstrip().endswith(f"[{code}]"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_pyproject_section_and_bytes_that_are_not_utf8(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool]\nperfeval = "yes"\n', encoding="utf-8")
    result = run("check", "dept.yaml")
    assert result.exit_code == 2 and "[tool.perfeval] 应为表（键值结构），却是文字" in result.stderr
    (project / "pyproject.toml").unlink()
    (project / "perfeval.toml").write_bytes('ignore = ["收支"]\n'.encode("gb18030"))
    result = run("check", "dept.yaml")
    assert result.exit_code == 2 and "配置文件不是 UTF-8 编码" in result.stderr


def test_make_settings_raises_every_mistaken_code_at_once() -> None:
    with pytest.raises(InputError) as err:
        make_settings(Options(select=["over-claimd"], ignore=["unverifyable"], isolated=True))
    assert [str(p.location) for p in err.value.problems] == ["--select over-claimd", "--ignore unverifyable"]


# --- the review comparison's threshold --------------------------------------------------------------------

REVIEWED = (  # 经济效益: 自评 5, 复核 3 — 偏离度 40% (relative) or 2 points
    "review: {scores: {economic_benefit: {score: 3, reason: 佐证不足}}}\n"
)


def test_the_configuration_s_deviation_threshold_flags_the_review(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    dept = mutated(tmp_path, [], "dept.yaml")
    dept.write_text(dept.read_text(encoding="utf-8") + REVIEWED, encoding="utf-8")
    assert "review-deviation" not in codes(check_json(dept.name))  # the Taojiang rubric sets no threshold
    (tmp_path / "perfeval.toml").write_text('[deviation_threshold]\nrate = "30%"\npoints = 5\n', encoding="utf-8")
    flagged = [p for f in check_json(dept.name)["files"] for p in f["problems"] if p["code"] == "review-deviation"]
    assert len(flagged) == 1 and "偏离度 40.00%，超过阈值 30.00%" in flagged[0]["message"]
    ignored = check_json("--ignore", "review-deviation", dept.name)
    assert "review-deviation" not in codes(ignored) and ignored["files"][0]["counts"]["ignored"] == 1
    (tmp_path / "perfeval.toml").write_text('[deviation_threshold]\nrate = "50%"\n', encoding="utf-8")
    assert "review-deviation" not in codes(check_json(dept.name))
