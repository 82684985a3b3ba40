"""The other official documents on the circulars' renderer, read back from their PDFs: the
filing receipt (dates written 2026年12月1日, the QR code clear of the centre's mark, the seal's
square over the centre and date) and the daily briefing (names left, numbers right, a legend
clear of its chart, subtitles saying what a panel counts)."""

import itertools
import re
import subprocess
from html import unescape

import pytest
from django.utils import timezone, translation
from PIL import Image

from coordination import documents
from coordination.briefing import BriefingScope
from coordination.briefing.core import PROVINCIAL
from coordination.briefing.daily import _text_width, bar_chart_svg, daily_briefing_context, table_cells
from coordination.mechanisms.insurance import services
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.workflow.engine import transition_fire
from tests.mechanisms.insurance.conftest import approval, file_filing, ins  # noqa: F401 - fixtures

MM = 72 / 25.4
PAGE_HEIGHT = 841.89
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def words(path, page=1):
    html = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in WORD.findall(html)]


@pytest.fixture
def receipt(ins, file_filing, tmp_path):  # noqa: F811 - the fixtures imported above
    filing = file_filing()
    transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    filing.refresh_from_db()
    with translation.override("zh-hans"):
        rendered = documents.renderer().render_template("insurance/receipt.html", services.receipt_context(filing))
    path = tmp_path / "receipt.pdf"
    path.write_bytes(rendered.pdf)
    return filing, rendered, path


def test_the_receipt_writes_its_dates_the_standards_way(receipt):
    filing, _rendered, path = receipt
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True).stdout
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    decided = timezone.localdate(filing.decided_at)
    day = f"{decided.year}年{decided.month}月{decided.day}日"
    assert text.count(day) >= 2  # 审核日期 and the date under the centre's name
    assert f"{filing.effective_from.year}年{filing.effective_from.month}月{filing.effective_from.day}日" in text


def test_the_receipts_seal_square_covers_the_centre_and_the_date_inside_the_page(receipt):
    filing, rendered, path = receipt
    [(page, (x0, y0, x1, y1))] = rendered.anchors
    assert page == 0 and 0 <= x0 < x1 <= 595.28 and 0 <= y0 < y1 <= PAGE_HEIGHT
    assert x1 - x0 == pytest.approx(42 * MM, abs=0.2)
    decided = timezone.localdate(filing.decided_at)
    day = f"{decided.year}年{decided.month}月{decided.day}日"
    found = words(path)
    date = max((w for w in found if w[4] == day), key=lambda w: w[1])  # the closing's, below the table
    centre = next(w for w in found if w[4] == filing.insuring_centre.name_zh and abs(w[3] - date[1]) < 20)
    for wx0, wy0, wx1, wy1, _text in (date, centre):
        assert wx0 < x1 and x0 < wx1 and PAGE_HEIGHT - y1 < wy1 and wy0 < PAGE_HEIGHT - y0


def test_the_receipts_qr_code_clears_the_centres_mark(receipt, tmp_path):
    filing, _rendered, path = receipt
    mark = next(w for w in words(path) if w[4] == filing.insuring_centre.name_zh)  # the red mark, first
    dpi = 100
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(path), str(tmp_path / "r")],
        check=True,
    )
    image = Image.open(tmp_path / "r.png").convert("RGB")
    scale = dpi / 72
    top, bottom = int((mark[1] - 6) * scale), int((mark[3] + 6) * scale)
    black = [
        (x, y)
        for y in range(top, bottom)
        for x in range(0, image.width)
        if max(image.getpixel((x, y))) < 90  # black, not the mark's red
    ]
    assert black == []
    # The QR code is there, left of the closing, below the table.
    lower = image.crop((0, int(image.height * 0.5), int(image.width * 0.5), image.height))
    assert any(max(lower.getpixel((x, y))) < 90 for y in range(lower.height) for x in range(lower.width))


@pytest.fixture
def briefing_pdf(demo, make_sheet, ins, file_filing, tmp_path):  # noqa: F811
    from coordination.mechanisms.measure_notices import demo as measure_demo

    make_sheet(by="js-liaison", to="sh-liaison")
    measure_demo.seed()
    filing = file_filing()
    transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    context = daily_briefing_context(BriefingScope(region_codes=PROVINCIAL, now=timezone.now()))
    rendered = documents.renderer().render_template("briefing/daily.html", context)
    path = tmp_path / "briefing.pdf"
    path.write_bytes(rendered.pdf)
    return context, path, rendered


def test_the_briefing_sets_names_flush_left_and_says_what_each_window_counts(briefing_pdf):
    context, path, rendered = briefing_pdf
    found = [w for page in range(1, rendered.pages + 1) for w in words(path, page)]
    mechanism_names = {name for _code, name, *_figures in context["yesterday"]["mechanisms"]}
    names = [w for w in found if w[4] in mechanism_names]
    assert len({w[4] for w in names}) >= 3
    # Left-aligned in the two tables naming mechanisms (一 and 三): two left edges, many right ones.
    lefts = sorted(x0 for x0, _y0, _x1, _y1, _text in names)
    edges = 1 + sum(1 for a, b in itertools.pairwise(lefts) if b - a > 2)
    assert edges == 2 and len({round(x1) for _x0, _y0, x1, _y1, _text in names}) > 2
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "统计近30日的医保异地备案。" in flat and "统计近30日的举措通报确认情况。" in flat
    assert "发布的通报" not in flat


def test_only_numbers_align_right_in_a_briefing_table():
    assert table_cells([["上海市 → 江苏省", 3, 0.5, None, "长三角区域合作办公室"]]) == [
        [("上海市 → 江苏省", False), (3, True), (0.5, True), (None, True), ("长三角区域合作办公室", False)]
    ]


LEGEND_RECT = re.compile(
    r'<rect x="([\d.]+)" y="([\d.]+)" width="8" height="8" fill="[^"]+"/>'
    r'<text x="[\d.]+" y="[\d.]+" font-size="8">([^<]*)</text>'
)
BAR = re.compile(r'<rect x="[\d.]+" y="([\d.]+)" width="\d+\.\d" height="([\d.]+)"')  # bars, not swatches


@pytest.mark.parametrize("stack", [False, True])
def test_a_charts_legend_wraps_clear_of_its_neighbours_and_of_the_bars(stack):
    names = ["抵达人员隔离观察", "省界道口管控", "其他", "突发公共卫生事件", "入境人员集中隔离医学观察", "冷链食品"]
    series = [(name, [n + 1, 0, 2, 1, 3]) for n, name in enumerate(names)]
    svg = bar_chart_svg(["上海市", "江苏省", "浙江省", "安徽省", "长三角区域合作办公室"], series, stack=stack)
    legend = [(float(x), float(y), unescape(name)) for x, y, name in LEGEND_RECT.findall(svg)]
    assert [name for _x, _y, name in legend] == names
    rows = {}
    for x, y, name in legend:
        rows.setdefault(y, []).append((x, x + 11 + _text_width(name, 8)))
    assert len(rows) > 1  # wrapped
    for entries in rows.values():
        for (_a0, a1), (b0, _b1) in itertools.pairwise(entries):
            assert a1 <= b0
        assert max(end for _start, end in entries) <= 440
    legend_bottom = max(rows) + 8
    bars = [(float(y), float(h)) for y, h in BAR.findall(svg) if float(h) > 0]
    assert len(bars) == sum(1 for _name, values in series for v in values if v)
    assert min(y for y, _h in bars) > legend_bottom
