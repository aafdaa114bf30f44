"""`perfeval report … --output review.html`: one self-contained HTML file, in Chinese, that renders in a real
browser (headless Chromium from the distribution's packages: `.ci/run` installs `chromium` and
`fonts-noto-cjk` when absent) with its charts, no console messages, and every input text escaped; its
figures are the terminal's."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli.app import app
from perfeval.cli.commands.report import run as report_command
from perfeval.core.decimals import fmt_points
from perfeval.pipeline.reports import check_file
from perfeval.reporting.html_report import HtmlReport
from test_workpaper import EXAMPLES, OVER_CLAIMED, department

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("county")
    broken = tmp / "broken.yaml"
    broken.write_text("unit: [县政府办\n", encoding="utf-8")
    hostile = [("unit: 桃江县人民政府办公室", "unit: '<script>alert(1)</script>某局 & <b>'")]
    return [
        department(tmp, "taojiang.yaml", []),
        department(tmp, "over.yaml", OVER_CLAIMED),
        department(tmp, "project.yaml", [], EXAMPLES / "project-2020.yaml"),
        department(tmp, "hunan.yaml", [], EXAMPLES / "hunan-county-2019.yaml"),
        department(tmp, "hostile.yaml", hostile),
        broken,
    ]


@pytest.fixture(scope="module")
def page(county: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "review.html"
    code = report_command(county, None, out, False)
    assert code == 2  # the broken file, as `check` would say
    return out


# --- the file itself -----------------------------------------------------------------------------------------


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def classes(found: Elements, tag: str, cls: str) -> int:
    return sum(1 for t, a in found.tags if t == tag and cls in a.get("class", "").split())


def test_the_report_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    found = elements(html)
    tags = {t for t, _ in found.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}  # nothing to run or fetch
    for _, attrs in found.tags:
        assert "src" not in attrs
        assert attrs.get("href", "#").startswith("#"), attrs  # links within the page only
    assert (
        "url(" not in html
        and "@import" not in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html


def test_every_input_text_is_escaped(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>'" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;某局 &amp; &lt;b&gt;" in html


def test_it_has_the_charts_and_the_sections_a_review_needs(page: Path) -> None:
    found = elements(page.read_text(encoding="utf-8"))
    text = "".join(found.text)
    assert classes(found, "svg", "grade-chart") == 1 and classes(found, "rect", "bar") > 0
    assert classes(found, "svg", "score-scatter") == 1
    assert classes(found, "circle", "unit-point") == 5  # one dot per readable unit
    assert classes(found, "svg", "deviation-chart") == 1  # the over-claimer stands out
    assert classes(found, "svg", "findings-chart") == 1
    assert classes(found, "section", "unit") == 6  # a page per file given, the unreadable one too
    for words in (
        "等级分布",
        "红黑榜",
        "黑榜（高报最多）",
        "红榜（自评如实）",
        "问题分布",
        "单位一览",
        "高报",
        "YAML 语法错误",
    ):
        assert words in text, words
    tiers = [a for t, a in found.tags if t == "table" and a.get("class") == "tiers"]
    assert len(tiers) == 5  # a three-tier table per readable unit


def test_the_black_list_is_led_by_the_largest_deviation(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    black = html.split("黑榜（高报最多）")[1].split("</table>")[0]
    assert "某县高报局" in black and "+0.51" in black
    assert "桃江县人民政府办公室" not in black  # no deviation: not on the black list


def test_the_unit_figures_are_the_terminals(county: list[Path], page: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--format", "json", *map(str, county)])
    doc = json.loads(result.stdout)
    html = page.read_text(encoding="utf-8")
    index = html.split("<h2>单位一览</h2>")[1].split("</table>")[0]
    rows = re.findall(r"<tr><td class=\"c\"><a href=\"#unit-(\d+)\">.*?</tr>", index)
    assert rows == [str(i) for i in range(1, len(county) + 1)]
    for i, f in enumerate(doc["files"], start=1):
        row = re.search(rf'<a href="#unit-{i}">{i}</a>.*?</tr>', index)
        assert row is not None
        cells = re.findall(r'<td class="n[^"]*">([^<]*)</td>', row.group())
        if not f["readable"]:
            continue
        final = f.get("adjusted") or f
        stated, self_score, _score, _reviewed, audited = cells[:5]
        assert stated == fmt_points(_dec(f["stated_total"]))
        assert self_score == fmt_points(_dec(final["self_score"]))
        assert audited == fmt_points(_dec(final["audited_score"]))


def _dec(text: str | None):
    from decimal import Decimal

    return Decimal(text) if text is not None else None


def test_the_report_keeps_no_report_after_rendering_it(tmp_path: Path) -> None:
    report = check_file(department(tmp_path, "over.yaml", OVER_CLAIMED))
    parts = [report, report.indicators, report.problems, *report.indicators, *report.problems]
    before = [sys.getrefcount(p) for p in parts]
    with HtmlReport() as doc:
        doc.add(report)
        after = [sys.getrefcount(p) for p in parts]
    assert after == before


# --- the command -----------------------------------------------------------------------------------------------


def test_the_output_must_be_an_html_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = report_command([EXAMPLES / "taojiang-2019.yaml"], None, tmp_path / "review.txt", False)
    assert code == 2 and "[output-format]" in capsys.readouterr().err
    assert not (tmp_path / "review.txt").exists()


def test_an_existing_report_is_kept_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "review.html"
    out.write_text("earlier", encoding="utf-8")
    assert report_command([EXAMPLES / "taojiang-2019.yaml"], None, out, False) == 2
    assert "[output-exists]" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "earlier"
    assert report_command([EXAMPLES / "taojiang-2019.yaml"], None, out, True) == 0
    assert "已写出审核报告" in capsys.readouterr().err


def test_no_report_when_no_file_could_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: [x\n", encoding="utf-8")
    out = tmp_path / "review.html"
    assert report_command([broken], None, out, False) == 2
    err = capsys.readouterr().err
    assert "[yaml-syntax]" in err and "[no-readable-input]" in err and "未写出审核报告" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


# --- in a real browser ------------------------------------------------------------------------------------------


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={cwd / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "HOME": str(home)},
    )


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to its console (an error, a failed load, a log): Chromium logs each as CONSOLE."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows (RGB or RGBA, 8 bits) of a PNG, with the standard library only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = depth = color = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and color in (2, 6), (depth, color)
    bpp = 4 if color == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [r[::bpp] for r in rows]  # the red channel is enough to tell ink from paper


def ink(png: bytes) -> tuple[float, float]:
    """(share of pixels that are not white, variance of the red channel) of a screenshot."""
    width, height, rows = png_pixels(png)
    values = [v for r in rows for v in r]
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return sum(1 for v in values if v < 240) / len(values), variance


@needs_chromium
def test_the_report_renders_in_headless_chromium_with_its_charts_and_no_console_message(
    page: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "review.png"
    url = page.resolve().as_uri()
    done = chromium(
        "--window-size=1280,1600", "--force-device-scale-factor=0.5", f"--screenshot={shot}", url, cwd=tmp_path
    )
    assert shot.exists(), done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    share, variance = ink(shot.read_bytes())
    assert share > 0.03 and variance > 300, (share, variance)  # text, tables and charts, not a blank page
    dom = chromium("--dump-dom", url, cwd=tmp_path)
    assert console_messages(dom.stderr) == []
    found = elements(dom.stdout)  # the page as the browser built it
    assert classes(found, "svg", "grade-chart") == 1 and classes(found, "svg", "score-scatter") == 1
    assert classes(found, "circle", "unit-point") == 5 and classes(found, "rect", "bar") > 5
    assert "部门整体支出绩效自评复核报告" in "".join(found.text)
    keep = os.environ.get("PERFEVAL_KEEP_SCREENSHOTS")  # to look at them: a folder to copy them to
    if keep:
        shutil.copy(shot, Path(keep) / "review.png")


@needs_chromium
def test_the_browser_check_catches_a_console_error_and_a_blank_page(tmp_path: Path) -> None:
    """The checks above can fail: a page with a script error is caught, and so is a blank page."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>undefinedFunction()</script></body></html>", encoding="utf-8")
    shot = tmp_path / "bad.png"
    done = chromium("--window-size=400,300", f"--screenshot={shot}", bad.resolve().as_uri(), cwd=tmp_path)
    assert any("undefinedFunction" in m for m in console_messages(done.stderr))
    share, variance = ink(shot.read_bytes())
    assert share < 0.01 and variance < 50


def test_perfeval_report_from_the_command_line_takes_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "审核报告.html"
    result = CliRunner().invoke(app, ["report", str(EXAMPLES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the report is the file; the terminal only says it was written
    assert "已写出审核报告" in result.stderr
    html = out.read_text(encoding="utf-8")
    assert "桃江县人民政府办公室" in html and "益阳市工商业联合会" in html
    again = CliRunner().invoke(app, ["report", str(EXAMPLES), "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr


def test_perfeval_report_is_in_the_chinese_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "report" in result.stdout and "审核报告" in result.stdout
