"""GB/T 9704-2012 details measured from the rendered PDF: headings in their faces (heading part
only, no faux bold), joint documents' head and signatures (7.2.2, 7.3.5.3), a signature that is
the organ and the date, the verification code and QR code in the last page's foot, the 版记's
rules and its even last page (7.4, 7.5), drafts watermarked, and where the seals go."""

import itertools
import re
import subprocess
import zlib
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from PIL import Image

from notices.circulars.document import (
    RECORD_AFTER_BLANK,
    RECORD_NEXT_PAGE,
    RECORD_WITH_TEXT,
    CircularDocument,
)
from notices.circulars.rendering import (
    circular_html,
    get_renderer,
    page_classes,
    qr_svg,
    record_placement,
    render_circular,
    seal_anchors,
)
from notices.circulars.samples import (
    JOINT_ORGANS,
    SAMPLE_VERIFICATION_CODE,
    health_code_document,
    joint_health_code_document,
)

MM = 72 / 25.4
TYPE_LEFT, TYPE_RIGHT, TYPE_TOP, TYPE_BOTTOM = 28 * MM, 184 * MM, 37 * MM, 262 * MM
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
FONTSPEC = re.compile(r'<fontspec id="(\d+)" size="[\d.]+" family="([^"]+)" color="([^"]+)"/>')
TEXT = re.compile(r'<text top="([\d.]+)" left="([\d.]+)" width="([\d.]+)" height="([\d.]+)" font="(\d+)">(.*?)</text>')

OFFICE_BODY = (
    "经三省一市疫情防控工作领导小组同意，现就健康码互认通用有关事项通知如下：\n"
    "一、上海、江苏、浙江、安徽健康码互认通用，“绿码”人员在区域内通行不再重复申领。\n"
    "二、各地按照“数据互换、规则互认、结果互通”原则做好系统对接。\n"
    "三、各地省界道口相应调整查验措施，有序放宽通行管控。"
)


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    def overlaps(self, box) -> bool:
        """Whether a PDF box (x0, y0, x1, y1 from the bottom-left, page height 841.89) overlaps."""
        x0, y0, x1, y1 = box
        top, bottom = 841.89 - y1, 841.89 - y0
        return self.x0 < x1 and x0 < self.x1 and self.y0 < bottom and top < self.y1


@dataclass
class Segment:
    """A run of text in one font, as pdftohtml reports it (points, origin top-left)."""

    top: float
    left: float
    width: float
    height: float
    family: str
    colour: str
    text: str


@dataclass
class Rendered:
    path: Path
    result: object
    document: CircularDocument
    _cache: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return self.result.pages

    def run(self, *args: str) -> str:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    def words(self, page: int) -> list[Word]:
        html = self.run("pdftotext", "-enc", "UTF-8", "-bbox", "-f", str(page), "-l", str(page), str(self.path), "-")
        return [Word(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in WORD.findall(html)]

    def raw_text(self, page: int) -> str:
        return self.run("pdftotext", "-enc", "UTF-8", "-raw", "-f", str(page), "-l", str(page), str(self.path), "-")

    def segments(self, page: int) -> list[Segment]:
        options = ("-xml", "-i", "-stdout", "-q", "-zoom", "1", "-noroundcoord")
        xml = self.run("pdftohtml", *options, str(self.path))
        chunk = xml.split("<page number=")[page]
        fonts = {fid: (family, colour) for fid, family, colour in FONTSPEC.findall(xml)}
        return [
            Segment(float(t), float(left), float(w), float(h), *fonts[f], re.sub(r"<[^>]+>", "", unescape(text)))
            for t, left, w, h, f, text in TEXT.findall(chunk)
        ]

    def raster(self, page: int, dpi: int, box_mm: tuple[float, float, float, float]) -> Image.Image:
        """The page's region (x0, y0, x1, y1 in mm from the top-left) at `dpi`."""
        x0, y0, x1, y1 = (round(v / 25.4 * dpi) for v in box_mm)
        out = self.path.with_name(f"{self.path.stem}-{page}-{dpi}-{x0}-{y0}")
        subprocess.run(
            [
                "pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-x", str(x0), "-y", str(y0),
                "-W", str(x1 - x0), "-H", str(y1 - y0), "-png", "-singlefile", str(self.path), str(out),
            ],
            check=True,
        )  # fmt: skip
        return Image.open(f"{out}.png").convert("RGB")


def render(document: CircularDocument, path: Path) -> Rendered:
    result = render_circular(document)
    path.write_bytes(result.pdf)
    return Rendered(path, result, document)


def office_document(**changes) -> CircularDocument:
    """The demo circular of the Office (沪苏浙皖联防〔2026〕1号, measure notice M3)."""
    document = CircularDocument(
        issuer_mark="长三角区域合作办公室",
        document_number="沪苏浙皖联防〔2026〕1号",
        title="关于长三角地区健康码互认通用、有序放宽省际通行管控的通知",
        addressee_line="上海市长三角联防联控联络办公室、江苏省长三角联防联控联络办公室",
        body=OFFICE_BODY,
        signature="长三角区域合作办公室",
        signed_on="2026年12月1日",
        printed_by="长三角区域合作办公室",
        printed_on="2026年12月1日",
        verify_url="http://127.0.0.1:8000/documents/verify/7K3Q9XWD2M4P/",
        verification_code="7K3Q9XWD2M4P",
    )
    for name, value in changes.items():
        setattr(document, name, value)
    return document


@pytest.fixture(scope="module")
def office_pdf(tmp_path_factory) -> Rendered:
    return render(office_document(), tmp_path_factory.mktemp("office") / "office.pdf")


@pytest.fixture(scope="module")
def joint_pdf(tmp_path_factory) -> Rendered:
    return render(joint_health_code_document(), tmp_path_factory.mktemp("joint") / "joint.pdf")


@pytest.fixture(scope="module")
def draft_pdf(tmp_path_factory) -> Rendered:
    document = health_code_document(pages=3)
    document.document_number, document.draft = "", True
    return render(document, tmp_path_factory.mktemp("draft") / "draft.pdf")


@pytest.fixture(scope="module")
def five_pages(tmp_path_factory) -> Rendered:
    return render(health_code_document(pages=5), tmp_path_factory.mktemp("five") / "five.pdf")


def closing_page(rendered: Rendered) -> int:
    return rendered.result.anchors[0][0] + 1 if rendered.result.anchors else rendered.pages


def segment_after(segments: list[Segment], text: str) -> tuple[Segment, Segment]:
    """The segment starting with `text` and the one that follows it on its line."""
    first = next(s for s in segments if s.text.startswith(text))
    same_line = [s for s in segments if abs((s.top + s.height / 2) - (first.top + first.height / 2)) < 4]
    following = min((s for s in same_line if s.left > first.left), key=lambda s: s.left)
    return first, following


# --- headings ---------------------------------------------------------------------------------


def test_a_heading_alone_is_in_hei_and_a_run_in_heading_in_kai_up_to_its_full_stop(five_pages):
    segments = [s for page in range(1, 3) for s in five_pages.segments(page)]
    heading = next(s for s in segments if s.text == "一、总体要求")
    assert "Noto-Sans-CJK-SC" in heading.family
    run_in, body = segment_after(segments, "（一）健康码等级。")
    assert run_in.text == "（一）健康码等级。" and "AR-PL-UKai" in run_in.family
    assert body.text.startswith("各地健康码统一") and "FandolFang" in body.family


def test_a_numbered_sentence_sets_only_its_ordinal_in_hei(office_pdf):
    segments = [s for page in range(1, office_pdf.pages + 1) for s in office_pdf.segments(page)]
    for ordinal, text in (("一、", "上海、江苏"), ("二、", "各地按照"), ("三、", "各地省界")):
        mark, body = segment_after(segments, ordinal)
        assert mark.text == ordinal and "Noto-Sans-CJK-SC" in mark.family
        assert body.text.startswith(text) and "FandolFang" in body.family, body
    assert all(len(s.text) <= 2 for s in segments if "Noto-Sans" in s.family)


def test_third_and_fourth_level_headings_are_in_fangsong(five_pages):
    segments = [s for page in range(1, five_pages.pages + 1) for s in five_pages.segments(page)]
    for start in ("1.统一数据标准。", "（1）对扫码异常人员"):
        segment = next(s for s in segments if s.text.startswith(start))
        assert "FandolFang" in segment.family


def test_no_heading_is_bold_or_emboldened(five_pages):
    document = health_code_document(pages=5)
    html = render_to_string("circulars/circular.html", document.context())
    laid_out = get_renderer().layout(html)
    weights = {
        box.element.get("class"): box.style["font_weight"]
        for page in laid_out.pages
        for box in page._page_box.descendants()
        if getattr(box, "element", None) is not None and box.element.get("class") in ("f-hei", "f-kai")
    }
    assert weights == {"f-hei": 400, "f-kai": 400}
    # Nor drawn bolder: no text rendering mode other than fill (stroked text is a faux bold).
    pdf = five_pages.path.read_bytes()
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S) if m[:1] == b"x"]
    assert not any(re.search(rb"\b[1-7] Tr\b", stream) for stream in streams)
    fonts = five_pages.run("pdffonts", str(five_pages.path))
    assert not any("Bold" in row for row in fonts.splitlines() if "Sans" in row or "UKai" in row)


# --- signature, 附注, verification ------------------------------------------------------------


def test_the_signature_block_is_the_organ_and_the_date_only(office_pdf):
    page = closing_page(office_pdf)
    words = office_pdf.words(page)
    signature = next(w for w in words if w.text == "长三角区域合作办公室" and w.y0 < TYPE_BOTTOM - 40)
    record_top = min(w.y0 for w in words if w.text.endswith("印发"))
    between = [w.text for w in words if signature.y0 - 1 <= w.y0 < record_top - 20]
    assert between == ["长三角区域合作办公室", "2026年12月1日"]
    text = "".join(office_pdf.run("pdftotext", "-enc", "UTF-8", str(office_pdf.path), "-").split())
    assert text.count("沪苏浙皖联防〔2026〕1号") == 1  # in the head only
    assert "（其他）" not in text and "校验码" not in text
    assert not re.search(r"[0-9a-f]{16}", text)


def test_the_issuers_own_note_is_the_only_note_and_the_digest_is_kept_for_the_record():
    document = office_document()
    assert document.notes() == []
    document.note = "此件公开发布"
    assert document.notes() == ["（此件公开发布）"]
    assert re.fullmatch(r"[0-9a-f]{64}", document.content_digest())


def test_the_verification_code_and_the_qr_code_stand_in_the_last_pages_foot(office_pdf):
    last = office_pdf.pages
    words = office_pdf.words(last)
    code = [w for w in words if "7K3Q-9XWD-2M4P" in w.text]
    assert len(code) == 1 and code[0].y0 > TYPE_BOTTOM and code[0].x0 > 105 * MM
    assert any(w.text.startswith("核验码") and abs(w.y0 - code[0].y0) < 2 for w in words)
    # The QR code: a dark square about 18 mm wide, right of the code, below the type area.
    left = code[0].x1 / MM + 0.5
    foot = office_pdf.raster(last, 100, (left, 262, 205, 295))
    dark = [(x, y) for y in range(foot.height) for x in range(foot.width) if sum(foot.getpixel((x, y))) < 200]
    xs, ys = [x for x, _y in dark], [y for _x, y in dark]
    px = 100 / 25.4
    assert (max(xs) - min(xs)) / px == pytest.approx(18, abs=1.5)
    assert (max(ys) - min(ys)) / px == pytest.approx(18, abs=1.5)
    assert left + max(xs) / px == pytest.approx(184, abs=1)
    # And nothing but the red mark above the head's rule on page 1.
    head = office_pdf.raster(1, 50, (0, 0, 210, 70))
    assert not any(max(head.getpixel((x, y))) < 100 for y in range(head.height) for x in range(head.width))


def test_a_documents_digest_is_what_it_says_not_how_it_is_printed():
    import hashlib
    import json

    document = office_document(note="此件公开发布")
    before = {
        key: getattr(document, key)
        for key in (
            "issuer_mark", "document_number", "title", "addressee_line", "body", "signature", "signed_on",
            "printed_by", "printed_on", "attachments", "note", "copy_to",
        )
    }  # fmt: skip
    canonical = json.dumps(before, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert document.content_digest() == hashlib.sha256(canonical.encode()).hexdigest()  # as before joint documents
    digest = document.content_digest()
    document.draft, document.verification_code = True, "AAAA-BBBB-CCCC"
    assert document.content_digest() == digest
    document.issuer_marks = ["长三角区域合作办公室", "上海市卫生健康委员会"]
    assert document.content_digest() != digest


# --- 版记 ---------------------------------------------------------------------------------------


def rule_thicknesses(rendered: Rendered, page: int) -> list[float]:
    """The horizontal rules spanning the type width near the page's foot, top down, in mm."""
    dpi = 600
    region = rendered.raster(page, dpi, (30, 180, 182, 263)).convert("L")
    means = region.resize((1, region.height), Image.Resampling.BOX).tobytes()
    rules, run = [], 0
    for mean in [*means, 255]:
        if mean < 128:
            run += 1
        elif run:
            rules.append(run / dpi * 25.4)
            run = 0
    return rules


def test_the_records_first_and_last_rules_are_0_35_mm_and_the_middle_one_0_25_mm(five_pages, office_pdf):
    with_copies = rule_thicknesses(five_pages, five_pages.pages)
    assert [round(v, 2) for v in with_copies] == pytest.approx([0.35, 0.25, 0.35], abs=0.06)
    without = rule_thicknesses(office_pdf, office_pdf.pages)
    assert [round(v, 2) for v in without] == pytest.approx([0.35, 0.35], abs=0.06)


def test_the_printing_organ_stands_left_and_the_printing_date_right_on_one_line(five_pages):
    words = five_pages.words(five_pages.pages)
    printed = next(w for w in words if w.text.endswith("印发"))
    organ = next(w for w in words if w.text == "长三角区域合作办公室" and abs(w.y0 - printed.y0) < 2)
    assert organ.x0 == pytest.approx(TYPE_LEFT + 14, abs=1.5)  # one character (4号) in
    assert printed.x1 == pytest.approx(TYPE_RIGHT - 14, abs=1.5)
    assert printed.text == "2026年3月10日印发"


def test_a_document_whose_text_ends_on_an_odd_page_has_its_record_on_the_next_even_page(five_pages):
    assert five_pages.pages == 6
    text_page, record_page = five_pages.words(5), five_pages.words(6)
    assert any(w.text == "2026年3月10日" for w in text_page) and not any(w.text.endswith("印发") for w in text_page)
    assert any(w.text.endswith("印发") for w in record_page)
    assert [w.text for w in record_page if w.y0 > TYPE_BOTTOM and w.text.isdigit()] == ["6"]


def test_where_the_record_goes_depends_on_the_last_pages_parity_and_company():
    assert record_placement([{"body"}, {"body", "signature", "record"}]) == RECORD_WITH_TEXT
    assert record_placement([{"body", "signature", "record"}]) == RECORD_NEXT_PAGE
    assert record_placement([{"body"}, {"body", "signature"}, {"record", "ln"}]) == RECORD_AFTER_BLANK


def test_a_record_alone_on_an_odd_page_follows_a_blank_page_and_neither_is_numbered(tmp_path):
    document = health_code_document(pages=1)
    html = render_to_string("circulars/circular.html", document.context(record_placement=RECORD_AFTER_BLANK))
    laid_out = get_renderer().layout(html)
    path = tmp_path / "blank.pdf"
    path.write_bytes(get_renderer().write(laid_out))
    rendered = Rendered(path, SimpleNamespace(pages=len(laid_out.pages), anchors=[]), document)
    assert rendered.pages % 2 == 0
    blank, record = rendered.words(rendered.pages - 1), rendered.words(rendered.pages)
    assert blank == []
    assert any(w.text.endswith("印发") for w in record)
    assert not any(w.y0 > TYPE_BOTTOM and w.text.isdigit() for w in record)
    assert "signature" in page_classes(laid_out.pages[rendered.pages - 3])


def five_pages_cut_to(paragraphs: int | None) -> CircularDocument:
    """The five-page circular with a verification code, its body cut to its first `paragraphs`
    paragraphs (None: all of them)."""
    document = health_code_document(pages=5, verification_code=SAMPLE_VERIFICATION_CODE)
    document.body = "\n".join(document.body.split("\n")[:paragraphs])
    return document


def foot_numbers(rendered: Rendered, page: int) -> list[str]:
    return [w.text for w in rendered.words(page) if w.y0 > TYPE_BOTTOM and w.text.isdigit()]


def test_a_record_that_does_not_fit_under_text_ending_on_an_even_page_goes_after_a_blank_page(tmp_path):
    rendered = render(five_pages_cut_to(6), tmp_path / "after-blank.pdf")
    assert rendered.pages == 4 and closing_page(rendered) == 2
    assert [foot_numbers(rendered, page) for page in range(1, 5)] == [["1"], ["2"], [], []]
    assert rendered.words(3) == []
    record = rendered.words(4)
    assert [w.text for w in record if w.text.endswith("印发")] == ["2026年3月10日印发"]
    assert not any(w.text == "2026年3月10日" for w in record)
    assert any(SAMPLE_VERIFICATION_CODE in w.text and w.y0 > TYPE_BOTTOM for w in record)


def laid_out_whole(document: CircularDocument, level: int, placement: str, path: Path) -> Rendered:
    """The circular laid out in one piece with its 版记 placed as `placement` says."""
    renderer = get_renderer()
    context = document.context(level=level, qr_svg=qr_svg(document.verify_url), record_placement=placement)
    laid_out = renderer.layout(circular_html("circulars/circular.html", context))
    path.write_bytes(renderer.write(laid_out))
    return Rendered(path, SimpleNamespace(pages=len(laid_out.pages), anchors=seal_anchors(laid_out)), document)


@pytest.mark.parametrize(("paragraphs", "placement"), [(None, RECORD_NEXT_PAGE), (6, RECORD_AFTER_BLANK)])
def test_a_record_moved_on_looks_as_if_the_whole_circular_had_been_laid_out_with_it_there(
    tmp_path, paragraphs, placement
):
    """render_circular lays the text out once and the 版记's page(s) on their own: joined, they
    must be what one layout of it all would give, word for word and pixel for pixel."""
    document = five_pages_cut_to(paragraphs)
    joined = render(document, tmp_path / "joined.pdf")
    whole = laid_out_whole(document, joined.result.level, placement, tmp_path / "whole.pdf")
    assert joined.pages == whole.pages and joined.pages % 2 == 0
    assert joined.result.anchors == whole.result.anchors
    for page in range(1, joined.pages + 1):
        assert joined.words(page) == whole.words(page), f"page {page}"
    for page in (joined.pages - 1, joined.pages):
        assert joined.raster(page, 50, (0, 0, 210, 297)).tobytes() == whole.raster(page, 50, (0, 0, 210, 297)).tobytes()


# --- 联合行文 -----------------------------------------------------------------------------------


def test_a_joint_head_stacks_the_organs_with_wenjian_centred_on_their_right(joint_pdf):
    red = [s for s in joint_pdf.segments(1) if s.colour == "#e60012"]
    organs = [s for s in red if s.text in JOINT_ORGANS]
    suffix = next(s for s in red if s.text == "文件")
    assert [s.text for s in organs] == JOINT_ORGANS
    assert len({round(s.left) for s in organs}) == 1 and len({round(s.width) for s in organs}) == 1
    assert all(b.top > a.top + a.height * 0.8 for a, b in itertools.pairwise(organs))
    assert suffix.left > organs[0].left + organs[0].width
    centre = sum(s.top + s.height / 2 for s in organs) / len(organs)
    assert suffix.top + suffix.height / 2 == pytest.approx(centre, abs=3)
    assert organs[0].left >= TYPE_LEFT - 0.5 and suffix.left + suffix.width <= TYPE_RIGHT + 0.5
    # Centred on the type area, its top 35 mm below the type area's.
    assert (organs[0].left + suffix.left + suffix.width) / 2 == pytest.approx((TYPE_LEFT + TYPE_RIGHT) / 2, abs=2)
    image = joint_pdf.raster(1, 100, (0, 0, 210, 120))
    rows = [
        y
        for y in range(image.height)
        if any((p := image.getpixel((x, y)))[0] > 180 and p[1] < 90 and p[2] < 90 for x in range(0, image.width, 2))
    ]
    assert rows[0] / (100 / 25.4) == pytest.approx(37 + 35, abs=1.5)


def test_joint_signatures_name_each_organ_with_one_date_and_a_seal_square_each(joint_pdf):
    anchors = joint_pdf.result.anchors
    assert len(anchors) == len(JOINT_ORGANS)
    page = anchors[0][0] + 1
    words = joint_pdf.words(page)
    names = [next(w for w in words if w.text == organ and w.y0 < TYPE_BOTTOM - 60) for organ in JOINT_ORGANS]
    dates = [w for w in words if w.text == "2026年3月10日"]
    assert len(dates) == 1  # once, at the end
    for name, (number, box) in zip(names, anchors, strict=True):
        assert number == page - 1 and name.overlaps(box)
    assert dates[0].overlaps(anchors[-1][1])
    boxes = [box for _page, box in anchors]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)  # seals never meet
        assert a[0] >= TYPE_LEFT - 0.5 and a[2] <= TYPE_RIGHT + 0.5


def test_from_circular_reads_the_joint_parts_and_the_code_whether_or_not_the_model_has_them():
    fields = {
        "issuer_mark": "长三角区域合作办公室",
        "document_number": "沪苏浙皖联防〔2026〕1号",
        "title": "关于做好复工复产的通知",
        "addressee_line": "上海市",
        "body": "请遵照执行。",
        "signature": "长三角区域合作办公室",
        "signed_on_display": "2026年12月1日",
        "printed_by": "长三角区域合作办公室",
        "printed_on_display": "2026年12月1日",
        "attachments": [],
        "note": "",
        "copy_to": "",
    }
    before = CircularDocument.from_circular(SimpleNamespace(**fields))
    assert (before.issuer_marks, before.signatures, before.verification_code) == ([], [], "")
    assert before.marks() == ["长三角区域合作办公室"] and before.signers() == ["长三角区域合作办公室"]
    after = CircularDocument.from_circular(
        SimpleNamespace(**fields, issuer_marks=JOINT_ORGANS, signatures=JOINT_ORGANS, verification_code="7K3Q9XWD2M4P")
    )
    assert after.is_joint and after.signers() == JOINT_ORGANS
    assert after.verification_text() == "核验码：7K3Q-9XWD-2M4P"
    empty = CircularDocument.from_circular(
        SimpleNamespace(**fields, issuer_marks=None, signatures=None, verification_code=None)
    )
    assert (empty.issuer_marks, empty.signatures, empty.verification_code) == ([], [], "")


# --- drafts -------------------------------------------------------------------------------------


def test_a_draft_is_watermarked_on_every_page_and_carries_no_qr_code_code_or_seal(draft_pdf):
    for page in range(1, draft_pdf.pages + 1):
        text = draft_pdf.raw_text(page)
        assert "草" in text and "稿" in text and "DRAFT" in text, page
    assert draft_pdf.result.anchors == []
    words = draft_pdf.words(1)
    assert any(w.text == "（草稿）" for w in words)  # where the number will be
    everything = draft_pdf.run("pdftotext", "-enc", "UTF-8", str(draft_pdf.path), "-")
    assert "核验码" not in everything
    foot = draft_pdf.raster(draft_pdf.pages, 50, (100, 264, 200, 295))
    assert not any(sum(foot.getpixel((x, y))) < 200 for y in range(foot.height) for x in range(foot.width))


# --- seal anchors -------------------------------------------------------------------------------


def test_the_seal_anchor_is_a_42_mm_square_over_the_signature_and_the_date(office_pdf):
    [(number, box)] = office_pdf.result.anchors
    x0, y0, x1, y1 = box
    assert x1 - x0 == pytest.approx(42 * MM, abs=0.2) and y1 - y0 == pytest.approx(42 * MM, abs=0.2)
    assert 0 <= x0 < x1 <= 595.28 and 0 <= y0 < y1 <= 841.89
    words = office_pdf.words(number + 1)
    date = next(w for w in words if w.text == "2026年12月1日" and w.y0 < TYPE_BOTTOM - 20)
    signature = next(w for w in words if w.text == "长三角区域合作办公室" and w.y0 < date.y0)
    assert date.overlaps(box) and signature.overlaps(box)
    # The signature and the date in the seal's lower half (居中偏下), centred across it.
    text_centre = 841.89 - (signature.y0 + date.y1) / 2
    assert text_centre < (y0 + y1) / 2
    assert (min(signature.x0, date.x0) + max(signature.x1, date.x1)) / 2 == pytest.approx((x0 + x1) / 2, abs=3)
