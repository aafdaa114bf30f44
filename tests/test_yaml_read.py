"""Reading YAML written by someone else: every message Chinese and at the line an editor shows,
every encoding and non-text file named, nothing read that perfeval cannot read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.core.problems import InputError
from perfeval.fileio import yaml_read

LOADERS = [name for name in ("CSafeLoader", "SafeLoader") if hasattr(yaml, name)]


def _loader(name: str) -> type:
    base = getattr(yaml, name)
    return type("Loader", (base,), {"resolve": lambda self, kind, value, implicit: yaml_read._IMPLICIT[kind]})


def problems(text: str) -> list:
    with pytest.raises(InputError) as err:
        yaml_read.load_text(text, "f.yaml")
    return err.value.problems


# --- every message in Chinese ------------------------------------------------------------------

_PIECES = list("ab:-[]{},'\"!&*|>%@`#?.\\\n \t0~") + [
    "---",
    "...",
    "%YAML 1.1\n",
    "%TAG ! x\n",
    "!!str ",
    "\\x",
    "\\u12",
    "\n  ",
    ": ",
    "- ",
    "k: v\n",
    "|0",
    ">9x",
    "!<",
    "!a!",
]
_ENGLISH = re.compile(r"[A-Za-z]{3,}")
_OURS = {"YAML", "Tab", "UTF", "examples", "perfeval", "total"}  # words perfeval's own messages use


@pytest.mark.parametrize("loader", LOADERS)
@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=25))
def test_no_yaml_error_reaches_the_reader_in_english(loader, pieces):
    saved = yaml_read._Loader
    yaml_read._Loader = _loader(loader)
    try:
        yaml_read.load_text("".join(pieces), "f.yaml")
    except InputError as err:
        for p in err.problems:
            assert not set(_ENGLISH.findall(p.message)) - _OURS, p.message
            assert "这里的写法不符合 YAML 语法" not in p.message, "a PyYAML reason without a Chinese text"
    finally:
        yaml_read._Loader = saved


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, says, line, col",
    [
        ("a: 1\n---\nb: 2\n", "不止一份 YAML 文档", 2, 1),
        ("a: 1\n...\nb: 2\n", "文档结束", 3, 1),
        ("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", "% 指令", None, None),
        ("a: !<x\n", "标签", None, None),
        ("a: &\n", "锚点名称", None, None),
        ("a: |0\n  x\n", "块文本标记", None, None),
        ('a: "\\x4"\n', "转义不完整", None, None),
        ("a: @x\n", "不能作为开头的字符", 1, 4),
    ],
)
def test_each_kind_of_yaml_error_has_its_own_chinese_message(monkeypatch, loader, text, says, line, col):
    monkeypatch.setattr(yaml_read, "_Loader", _loader(loader))
    (p,) = problems(text)
    assert says in p.message
    if line is not None:
        assert (p.location.line, p.location.col) == (line, col)


def test_several_documents_have_their_own_code():
    (p,) = problems("unit: a\n---\nunit: b\n")
    assert p.code == "several-documents"


# --- U+2028, U+2029, U+0085 are characters, not line breaks ---------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_word_line_separators_stay_in_the_text_and_lines_count_as_an_editor_counts(monkeypatch, loader, char):
    monkeypatch.setattr(yaml_read, "_Loader", _loader(loader))
    data, source = yaml_read.load_text(f"unit: 测试{char}单位\nnote: 'a{char}b'\nyear: 2019\n", "f.yaml")
    assert data == {"unit": f"测试{char}单位", "note": f"a{char}b", "year": 2019}
    assert source.locate(("year",)).line == 3
    # the missing colon of `facts` is on the line an editor shows (line 4), not one further down
    (p,) = problems(f"unit: 测试{char}单位\nyear: 2019\nrubric: x.yaml\nfacts\n  x: 1\n")
    assert (p.location.line, p.location.col) == (4, 1)
    assert "缺少冒号" in p.message


def test_a_stand_in_already_in_the_file_is_not_used():
    text = "a: \uf8ff\u2028x\n"
    data, _ = yaml_read.load_text(text, "f.yaml")
    assert data == {"a": "\uf8ff\u2028x"}


@pytest.mark.parametrize("loader", LOADERS)
def test_an_unpaired_surrogate_escape_is_refused_where_it_is(monkeypatch, loader):
    """libyaml refuses it while scanning; PyYAML's own parser lets it through to perfeval, which refuses it
    (it could not be written to a terminal or a file)."""
    monkeypatch.setattr(yaml_read, "_Loader", _loader(loader))
    (p,) = problems('ok: 1\nunit: "\\ud800"\n')
    assert p.code in ("invalid-character", "yaml-syntax")
    assert "不是有效的字符" in p.message
    assert p.location.line == 2
    (p,) = problems('"\\udfff": 1\n')
    assert "不是有效的字符" in p.message


# --- encodings and files that are not text ------------------------------------------------------

TEXT = "format: perfeval/department@1\nunit: 测试单位\nyear: 2019\n"


@pytest.mark.parametrize(
    "codec, bom, name",
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16LE"),
        ("utf-16-be", b"\xfe\xff", "UTF-16BE"),
        ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32LE"),
        ("utf-32-be", b"\x00\x00\xfe\xff", "UTF-32BE"),
    ],
)
@pytest.mark.parametrize("with_bom", [True, False])
def test_utf16_and_utf32_are_named_with_or_without_bom(codec, bom, name, with_bom):
    data = (bom if with_bom else b"") + TEXT.encode(codec)
    with pytest.raises(InputError) as err:
        yaml_read.decode(data, "f.yaml")
    (p,) = err.value.problems
    assert p.code == "encoding"
    assert f"文件是 {name} 编码（{'带' if with_bom else '无'} BOM）" in p.message
    assert "另存为 UTF-8" in p.message


@pytest.mark.parametrize(
    "data, says",
    [
        (b"PK\x03\x04\x14\x00\x00\x00", "扩展名改为 .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 .xls"),
        (b"%PDF-1.7\n", "PDF"),
        (b"\x00\x01\x02\x03\xff\xfe\xfd" * 10, "不是文本文件"),
    ],
)
def test_a_file_that_is_not_text_is_named_by_what_it_is(data, says):
    with pytest.raises(InputError) as err:
        yaml_read.decode(data, "f.yaml")
    assert says in err.value.problems[0].message


# --- what a path names, before it is read --------------------------------------------------------


@pytest.mark.parametrize(
    "name, code, says",
    [
        ("-", "stdin-unsupported", "标准输入"),
        ("dept.xlsb", "unsupported-format", ".xlsb"),
        ("dept.XLS", "unsupported-format", ".xls"),
        ("dept.et", "unsupported-format", "WPS"),
        ("dept.ods", "unsupported-format", "OpenDocument"),
        ("dept.csv", "unsupported-format", "CSV"),
    ],
)
def test_what_perfeval_does_not_read_is_refused_by_name_before_it_is_opened(tmp_path, name, code, says):
    with pytest.raises(InputError) as err:
        yaml_read.input_kind(Path(name))
    (p,) = err.value.problems
    assert (p.code, p.location.file) == (code, name)
    assert says in p.message
    with pytest.raises(InputError):  # load_file says the same (and never opens the file)
        yaml_read.load_file(tmp_path / "missing" / name if name != "-" else Path("-"))


def test_workbooks_and_yaml_are_told_apart_by_name():
    assert yaml_read.input_kind("a.xlsx") == "workbook"
    assert yaml_read.input_kind("a.XLSM") == "workbook"
    assert yaml_read.input_kind("a.yaml") == "yaml"
    assert yaml_read.input_kind("a") == "yaml"


@pytest.mark.parametrize("name", ["/etc/passwd", "../secret.env", "dept.xlsx", "rubric.json", "rubric"])
def test_a_rubric_must_be_a_yaml_file_and_is_never_read_otherwise(tmp_path, name):
    with pytest.raises(InputError) as err:
        yaml_read.load_file(name, role="rubric")
    (p,) = err.value.problems
    assert p.code == "wrong-kind-of-file"
    assert "评分表必须是 .yaml 或 .yml 文件" in p.message
    assert "root" not in p.message


def test_a_rubric_yaml_file_is_read():
    rubric = Path(__file__).parents[1] / "rubrics" / "taojiang-2019.yaml"
    data, _ = yaml_read.load_file(rubric, role="rubric")
    assert data["format"] == "perfeval/rubric@1"


# --- the pre-scan's bound (issue 17): a large file of ordinary data is parsed once ---------------------------

_SHAPES = [
    "a",
    "{a, b}",
    "[a: b, c: d]",
    "? a\n? b",
    "[? a]",
    "- - - a",
    "- a: 1\n  b: 2",
    "? [a, b]\n: c",
    "[]",
    "{}",
    "&x a",
    "[a, b, [c, {d: e, f}], {g}]",
    "!!set {a, b}",
    "k: |\n  text\n",
    "[[[[a]]]]",
    "{? a: b}",
    "[a, b: c, d]",
    "{a: [b, c: d], e}",
    "x: &a [1]\ny: *a",
    "? a\n: b\n? c",
]


def _nodes(text: str) -> int:
    kinds = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
    return sum(1 for e in yaml.parse(text, Loader=yaml.SafeLoader) if isinstance(e, kinds))


@pytest.mark.parametrize("text", _SHAPES)
def test_the_node_bound_holds_for_every_shape_of_yaml(text: str) -> None:
    assert _nodes(text) <= yaml_read._most_nodes(text)


def test_the_node_bound_holds_for_the_shipped_files() -> None:
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "rubrics").glob("*.yaml")) + sorted((root / "examples").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _nodes(text) <= yaml_read._most_nodes(text), path.name


@given(st.recursive(st.text("ab,:-[]{}? \n", max_size=3), lambda c: st.lists(c, max_size=4), max_leaves=12))
@settings(max_examples=200, deadline=None)
def test_the_node_bound_holds_for_generated_yaml(data: object) -> None:
    for text in (yaml.safe_dump(data), yaml.safe_dump(data, default_flow_style=True)):
        assert _nodes(text) <= yaml_read._most_nodes(text)


def test_a_large_file_of_ordinary_data_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "rows:\n" + "".join(f"  - 第{i}行的说明文字，写得长一些以便文件足够大，再长一些\n" for i in range(12_000))
    assert len(text) >= 2 * yaml_read.MAX_NODES  # long enough that the pre-scan looks at it

    def no_event_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a second, event-by-event parse of an ordinary file")

    monkeypatch.setattr(yaml_read.yaml, "parse", no_event_parse)
    data, _ = yaml_read.load_text(text, "big.yaml")
    assert len(data["rows"]) == 12_000


def test_a_file_that_may_hold_too_many_values_is_still_stopped_before_it_is_built() -> None:
    text = "[" + "1," * (yaml_read.MAX_NODES + 10) + "1]"
    with pytest.raises(InputError) as err:
        yaml_read.load_text(text, "many.yaml")
    assert err.value.problems[0].code == "too-many-nodes"
