"""What a process keeps between renders (font subsets and their streams, parsed stylesheets, QR
codes) changes nothing in the PDFs, and the QR code's outline path fills exactly its dark modules."""

import re
from dataclasses import replace

import pytest

from notices.circulars import pdf_cache, stylesheet_cache
from notices.circulars.rendering import get_renderer, qr_outline, qr_svg, render_circular
from notices.circulars.samples import health_code_document

URL = "https://yrd.example.gov.cn/circulars/verify/" + "0" * 64 + "/"


def clear_caches() -> None:
    pdf_cache.clear()
    stylesheet_cache.clear()
    qr_svg.cache_clear()


def winding(path: str, x: float, y: float) -> int:
    """The nonzero winding number of the path's outlines (M, h, v, z only) around (x, y)."""
    total = 0
    for outline in re.findall(r"M[^M]*", path):
        tokens = re.findall(r"[Mhvz]|-?\d+", outline)
        assert tokens[0] == "M" and tokens[-1] == "z"
        cx, cy = int(tokens[1]), int(tokens[2])
        points, i = [(cx, cy)], 3
        while tokens[i] != "z":
            step = int(tokens[i + 1])
            cx, cy = (cx + step, cy) if tokens[i] == "h" else (cx, cy + step)
            points.append((cx, cy))
            i += 2
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            if x0 == x1 and x0 > x and min(y0, y1) < y < max(y0, y1):  # a vertical side right of the point
                total += 1 if y1 > y0 else -1
    return total


@pytest.mark.parametrize(
    "data",
    ["https://x.invalid/", URL, URL + "?code=7K3Q9XWD2M4P" * 6],
)
def test_the_qr_outline_fills_exactly_the_dark_modules(data):
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = qr_outline(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert winding(path, x + 0.5, y + 0.5) == (1 if dark else 0), (x, y)
    # Fewer commands than a rectangle per run of modules (M h v h z each), which is the point.
    runs = sum(len(re.findall(r"1+", "".join("1" if m else "0" for m in row))) for row in matrix)
    assert len(re.findall(r"[Mhvz]", path)) < 0.75 * 5 * runs


def test_a_qr_code_is_encoded_once_per_url():
    qr_svg.cache_clear()
    assert qr_svg(URL) is qr_svg(URL)
    assert qr_svg(URL) != qr_svg(URL + "1")


def english_document():
    document = health_code_document(pages=1, verify_url=URL + "en/")
    return replace(
        document,
        issuer_mark="Regional Cooperation Office",
        title="Notice on the mutual recognition of health codes",
        addressee_line="Leading group offices of Shanghai, Jiangsu, Zhejiang and Anhui",
        body="The offices shall recognise each other's health codes.\nThey exchange status data every hour.",
        attachments=[],
        signature="Regional Cooperation Office",
        signed_on="10 March 2026",
        printed_by="Regional Cooperation Office",
        printed_on="10 March 2026",
    )


def test_pdfs_are_the_same_bytes_with_the_caches_cold_and_warm():
    """Documents of other glyphs, faces and languages, one after the other: each PDF is the one
    a fresh process (caches empty) writes, byte for byte."""
    get_renderer()
    draft = health_code_document(pages=2)
    draft.draft = True
    documents = {
        "five pages": health_code_document(pages=5, verify_url=URL),
        "one page": health_code_document(pages=1, verify_url=URL + "1/"),
        "english": english_document(),
        "draft": draft,
    }
    cold = {}
    for name, document in documents.items():
        clear_caches()
        cold[name] = render_circular(document).pdf
    hits = pdf_cache.subsets.hits
    for _round in range(2):
        for name, document in reversed(documents.items()):
            assert render_circular(document).pdf == cold[name], name
    assert pdf_cache.subsets.hits > hits and pdf_cache.streams.hits > 0 and stylesheet_cache.sheets.hits > 0


def test_the_lru_keeps_to_its_entries_and_bytes():
    lru = pdf_cache.BoundedLRU(max_entries=3, max_bytes=100)
    for key in "abcd":
        lru.put(key, b"x" * 10)
    assert len(lru) == 3 and lru.get("a") is None and lru.get("d") == b"x" * 10
    lru.get("b")  # b is now the most recent: c goes first
    lru.put("e", b"y" * 75)
    assert lru.get("c") is None and lru.get("b") is not None and lru.get("e") is not None
    assert lru._bytes <= 100
    lru.put("f", b"z" * 101)  # larger than the whole cache: not kept
    assert lru.get("f") is None and lru._bytes <= 100
    # A bytes key (a font subset, for its deflated stream) counts too.
    lru.put(b"k" * 60, b"v" * 30)
    assert lru._bytes <= 100


def test_only_sheets_that_add_selectors_and_page_rules_are_cached():
    import tinycss2

    def cacheable(css):
        return stylesheet_cache.cacheable(tinycss2.parse_stylesheet(css))

    assert cacheable(".a { color: red } @page { size: A4; @bottom-right { content: counter(page) } }")
    assert cacheable("@media print { .a { color: red } @page :first { margin: 0 } }")
    assert not cacheable('@font-face { font-family: "X"; src: url("x.otf") }')
    assert not cacheable("@media print { @font-face { font-family: X; src: url(x.otf) } }")
    assert not cacheable("@import url(other.css);")
    assert not cacheable("@layer base { .a { color: red } }")
    assert not cacheable("@counter-style thumbs { system: cyclic; symbols: x; }")


def test_a_cached_sheet_gives_every_document_its_page_rules():
    get_renderer()  # installs the cache
    from weasyprint import css as weasyprint_css

    assert getattr(weasyprint_css.CSS, "_yrd_cached", False)
    stylesheet_cache.clear()
    css = "@page { margin: 1cm } .a { color: red }"
    first, second = [], []
    one = weasyprint_css.CSS(string=css, page_rules=first, layers=[])
    two = weasyprint_css.CSS(string=css, page_rules=second, layers=[])
    assert stylesheet_cache.sheets.hits == 1 and stylesheet_cache.sheets.misses == 1
    assert len(first) == len(second) == 1 and first[0] is second[0]
    assert one.page_rules is first and two.page_rules is second
    assert one.matcher is two.matcher
    # With @font-face the sheet is WeasyPrint's own, parsed each time, never kept.
    for _ in range(2):
        weasyprint_css.CSS(string="@font-face { font-family: X; src: local(X) } .a { color: red }", page_rules=[])
    assert stylesheet_cache.sheets.hits == 1 and len(stylesheet_cache.sheets) == 1
