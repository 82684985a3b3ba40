"""The one render service of official documents: HTML from a template → PDF with WeasyPrint.

A process (the Celery worker) builds one `DocumentRenderer` — WeasyPrint imported, one
`FontConfiguration`, the font stylesheet parsed — and keeps it: rendering then costs layout
and font subsetting only. What gives the same result for the same input is kept between
renders, in bounded LRUs, the PDF unchanged to the byte: font subsets and their deflated
streams (pdf_cache.py), the documents' parsed stylesheets (stylesheet_cache.py), QR codes
(`qr_svg`). Subsetting CJK fonts needs HarfBuzz's subsetter
(libharfbuzz-subset0); without it WeasyPrint falls back to fontTools and a circular takes
15–18 s instead of 0.3–0.5 s, so the renderer refuses to start (`SubsetterMissing`) and
/healthz reports it.

Circulars (`render_circular`) are checked for missing glyphs first, laid out, inspected
(page 1 carries body text; the signature never stands alone on a page) and re-laid out
tighter when needed. When they would end on an odd page, the 版记 moves on to a page of its own
(after a blank page if it stood alone already), laid out alone and joined to the text's pages:
the text is laid out once.

Every render reports where electronic seals go (`RenderedPDF.anchors`): the boxes of the
elements its template marks `data-seal-anchor`, for the PDF signer to draw the seal in.
"""

import functools
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from notices.circulars.document import (
    RECORD_AFTER_BLANK,
    RECORD_NEXT_PAGE,
    RECORD_WITH_TEXT,
    TIGHTEN_LEVELS,
    CircularDocument,
)
from notices.circulars.fetcher import STATIC_BASE_URL, RestrictedURLFetcher
from notices.circulars.glyphs import check_glyphs, compact_font_faces, font_stack, font_stacks

log = logging.getLogger("notices.circulars")


class RenderError(Exception):
    """A document that cannot be rendered as it stands (the reason is shown to its issuer)."""


class SubsetterMissing(RenderError):
    pass


class LayoutError(RenderError):
    pass


def subsetter_available() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (≥ 4.1) rather than fontTools."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


SUBSETTER_MISSING_MESSAGE = (
    "HarfBuzz's font subsetter (Debian package libharfbuzz-subset0) is missing: without it a circular takes "
    "15-18 s to render instead of 0.3-0.5 s, so rendering is refused. Install it (make system-deps) and restart."
)


def check_subsetter() -> None:
    if not subsetter_available():
        raise SubsetterMissing(SUBSETTER_MISSING_MESSAGE)


def fonts_stylesheet() -> str:
    """@font-face rules for the configured font files and one class per font role."""
    rules = []
    for family, path in settings.CIRCULAR_FONT_FILES.items():
        if Path(path).is_file():
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{Path(path).resolve().as_uri()}"); }}')
    for (family, weight), path in compact_font_faces().items():
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{Path(path).as_uri()}"); }}'
        )
    for role, stack in font_stacks().items():
        rules.append(f".f-{role} {{ font-family: {stack.css_family()}; font-weight: {stack.weight}; }}")
    body, song = font_stack("fangsong").css_family(), font_stack("song").css_family()
    rules.append(f"html {{ font-family: {body}; }}")
    rules.append(f"@page {{ @bottom-right {{ font-family: {song}; }} @bottom-left {{ font-family: {song}; }} }}")
    return "\n".join(rules)


# A seal anchor: (0-based page index, (x0, y0, x1, y1) in PDF points from the page's
# bottom-left corner).
Anchor = tuple[int, tuple[float, float, float, float]]
PT_PER_PX = 0.75  # WeasyPrint lays out in CSS pixels


@dataclass
class RenderedPDF:
    pdf: bytes
    pages: int
    level: int = 0
    refused: tuple[str, ...] = ()
    # Where the electronic seals go, in document order: one square per element marked
    # data-seal-anchor (a circular's signing organs, a receipt's centre); none in a draft.
    anchors: list[Anchor] = field(default_factory=list)


def seal_anchors(document) -> list[Anchor]:
    """The boxes of the laid-out elements marked `data-seal-anchor`, page by page."""
    anchors = []
    for number, page in enumerate(document.pages):
        seen = set()
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or element.get("data-seal-anchor") is None or id(element) in seen:
                continue
            seen.add(id(element))  # anonymous boxes inside it name the same element
            x0, y0 = box.border_box_x(), box.border_box_y()
            x1, y1 = x0 + box.border_width(), y0 + box.border_height()
            anchors.append(
                (
                    number,
                    (
                        round(x0 * PT_PER_PX, 3),
                        round((page.height - y1) * PT_PER_PX, 3),
                        round(x1 * PT_PER_PX, 3),
                        round((page.height - y0) * PT_PER_PX, 3),
                    ),
                )
            )
    return anchors


class DocumentRenderer:
    """Lays out and writes official documents; one per process."""

    def __init__(self):
        check_subsetter()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from notices.circulars import pdf_cache, stylesheet_cache

        # Work that gives the same result for the same input, kept between renders.
        pdf_cache.install()  # font subsets and their deflated streams
        stylesheet_cache.install()  # the documents' parsed stylesheets

        self.font_config = FontConfiguration()
        self.fonts_css = CSS(
            string=fonts_stylesheet(), font_config=self.font_config, url_fetcher=RestrictedURLFetcher()
        )
        self.lock = threading.Lock()  # a FontConfiguration is not thread-safe

    def layout(self, html: str, fetcher: RestrictedURLFetcher | None = None):
        from weasyprint import HTML

        fetcher = fetcher or RestrictedURLFetcher()
        document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[self.fonts_css], font_config=self.font_config
        )
        # No embedded files: <link rel=attachment> and <a rel=attachment> are dropped.
        document.metadata.attachments = []
        for page in document.pages:
            page.links = [link for link in page.links if link[0] != "attachment"]
        return document

    def write(self, document) -> bytes:
        return document.write_pdf(pdf_variant=None, uncompressed_pdf=False)

    def render_html(self, html: str) -> RenderedPDF:
        fetcher = RestrictedURLFetcher()
        with self.lock:
            document = self.layout(html, fetcher)
            pdf = self.write(document)
        return RenderedPDF(
            pdf=pdf, pages=len(document.pages), refused=tuple(fetcher.refused), anchors=seal_anchors(document)
        )

    def render_template(self, template_name: str, context: dict) -> RenderedPDF:
        """Any official document: the template extends circulars/document_base.html."""
        with translation.override("zh-hans"):
            html = render_to_string(template_name, context)
        return self.render_html(html)


_renderer: DocumentRenderer | None = None
_renderer_lock = threading.Lock()


def get_renderer() -> DocumentRenderer:
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = DocumentRenderer()
        return _renderer


def reset_renderer() -> None:
    global _renderer
    with _renderer_lock:
        _renderer = None


# --- circulars --------------------------------------------------------------------------------


def box_classes(box) -> set[str]:
    """The class names of the element a laid-out box draws."""
    element = getattr(box, "element", None)
    return set(element.get("class").split()) if element is not None and element.get("class") else set()


def page_classes(page) -> set[str]:
    """The class names of the elements laid out on a page."""
    return set().union(*map(box_classes, page._page_box.descendants()))


# Lines of the body (正文): the 附件说明 alone does not keep a signature company.
BODY_CLASSES = {"body", "heading-1", "heading-2"}
# What a page carries besides the 版记.
TEXT_CLASSES = BODY_CLASSES | {"head", "title", "addressee", "attachment", "signature", "date", "note"}


def layout_problem(pages_classes: list[set[str]]) -> str | None:
    """Why a laid-out circular is not acceptable, or None."""
    if not pages_classes or not (pages_classes[0] & BODY_CLASSES):
        return "page 1 carries no body text"
    for classes in pages_classes:
        if "signature" in classes and not (classes & BODY_CLASSES):
            return "the signature stands alone on a page"
    return None


def qr_outline(matrix: list[list[bool]]) -> str:
    """SVG path data filling a module matrix's dark modules: the outlines of the dark regions
    (holes wind the other way, so the nonzero rule leaves them light), corner to corner.

    Not a rectangle per run of modules: WeasyPrint parses and draws an SVG path command by
    command in Python, and the outlines take about 40 % fewer commands and numbers (a version-5
    code: ~1,300 against ~2,000), which was ~8 ms of a circular's PDF writing. The filled area
    is the same squares, without seams where the rectangles met."""
    size = len(matrix)

    def dark(x: int, y: int) -> bool:
        return 0 <= x < size and 0 <= y < size and bool(matrix[y][x])

    # Each dark module's sides that border a light one, clockwise on screen (y down): what is
    # left after the sides two dark modules share cancel out.
    outgoing: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for y in range(size):
        for x in range(size):
            if not dark(x, y):
                continue
            for light, start, end in (
                (not dark(x, y - 1), (x, y), (x + 1, y)),
                (not dark(x + 1, y), (x + 1, y), (x + 1, y + 1)),
                (not dark(x, y + 1), (x + 1, y + 1), (x, y + 1)),
                (not dark(x - 1, y), (x, y + 1), (x, y)),
            ):
                if light:
                    outgoing.setdefault(start, []).append(end)
    commands = []
    for first in sorted(outgoing):
        while outgoing.get(first):
            # Walk one closed outline. Where two outlines touch at a corner (two ways on), turn
            # right: any consistent choice closes every loop and fills the same area.
            points, here, heading = [first], first, None
            while True:
                ends = outgoing[here]
                if heading is None or len(ends) == 1:
                    end = ends[0]
                else:
                    right = (here[0] - heading[1], here[1] + heading[0])
                    end = right if right in ends else ends[0]
                ends.remove(end)
                heading = (end[0] - here[0], end[1] - here[1])
                here = end
                if here == first:
                    break
                points.append(here)
            # Keep the corners only (straight-through points dropped, the start too if it is one).
            corners = [
                point
                for i, point in enumerate(points)
                if (points[i - 1][0] == point[0]) != (point[0] == points[(i + 1) % len(points)][0])
            ]
            x, y = corners[0]
            path = [f"M{x} {y}"]
            for cx, cy in corners[1:]:
                path.append(f"h{cx - x}" if cy == y else f"v{cy - y}")
                x, y = cx, cy
            commands.append("".join(path) + "z")  # the last side: closing the outline
    return "".join(commands)


@functools.lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """The URL as a QR code: one SVG path, crisp at any scale. Cached: a circular's layout is
    tried at several tightening levels and rendered again (sign-off, re-render), each time with
    the same URL; encoding it costs ~10 ms."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{qr_outline(matrix)}"/></svg>'
    )


def record_placement(pages_classes: list[set[str]]) -> str:
    """Where the 版记 must go for the document to end on an even page (封四): where it is
    when it does; else, when it shares the last page with text, alone on the next page; when
    it stands alone on an odd page already, after a blank page."""
    if len(pages_classes) % 2 == 0:
        return RECORD_WITH_TEXT
    return RECORD_NEXT_PAGE if pages_classes[-1] & TEXT_CLASSES else RECORD_AFTER_BLANK


def circular_html(template_name: str, context: dict) -> str:
    with translation.override("zh-hans"):
        return render_to_string(template_name, context)


def record_context(context: dict, placement: str, **extra) -> dict:
    """A circular's context with its 版记 placed as `placement` says (what
    CircularDocument.context gives for it, without typesetting the text again)."""
    return {
        **context,
        "record_on_its_page": placement != RECORD_WITH_TEXT,
        "record_after_blank": placement == RECORD_AFTER_BLANK,
        **extra,
    }


def drop_record(page) -> bool:
    """Take the 版记 out of a laid-out page's footnote area, where the template sets it; whether
    it was there. The text above it stays where it is: laid out without the 版记, the page
    would hold the same lines in the same places."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    for area in page._page_box.children:
        if isinstance(area, FootnoteAreaBox):
            kept = [box for box in area.children if "record" not in box_classes(box)]
            if len(kept) < len(area.children):
                area.children = kept
                return True
    return False


def record_moved_on(
    renderer: DocumentRenderer,
    laid_out,
    placement: str,
    template_name: str,
    context: dict,
    fetcher: RestrictedURLFetcher,
):
    """The circular ending on an even page without laying its text out again (laying a
    five-page circular out a second time cost more than signing it): the text's pages as laid
    out — the last one without its 版记 (RECORD_NEXT_PAGE), or without the odd page the 版记
    stood on alone (RECORD_AFTER_BLANK) — then the 版记's page, after a blank page for the
    latter, laid out on its own in the same template, numbered on from the text's pages and on
    the side they leave it. The same pages as one layout of it all, a page or two's cost."""
    if placement == RECORD_NEXT_PAGE:
        text_pages = laid_out.pages
        if not drop_record(text_pages[-1]):  # not where the template sets it: lay it all out again
            return renderer.layout(circular_html(template_name, record_context(context, placement)), fetcher)
    else:
        text_pages = laid_out.pages[:-1]
    first_page = len(text_pages) + 1
    record_only = {"first_page": first_page, "side": "right" if first_page % 2 else "left"}
    html = circular_html(template_name, record_context(context, placement, record_only=record_only))
    return laid_out.copy(text_pages + renderer.layout(html, fetcher).pages)


def render_circular(document: CircularDocument, *, template_name: str = "circulars/circular.html") -> RenderedPDF:
    """The circular's PDF. Raises MissingGlyphs (a character no font can draw), LayoutError."""
    check_glyphs(document.texts_by_role())
    renderer = get_renderer()
    qr = qr_svg(document.verify_url) if document.verify_url and not document.draft else ""

    problem = None
    for level in range(len(TIGHTEN_LEVELS)):
        context = document.context(level=level, qr_svg=qr, record_placement=RECORD_WITH_TEXT)
        fetcher = RestrictedURLFetcher()
        with renderer.lock:
            laid_out = renderer.layout(circular_html(template_name, context), fetcher)
            pages = [page_classes(page) for page in laid_out.pages]
            problem = layout_problem(pages)
            if problem is None:
                placement = record_placement(pages)
                if placement != RECORD_WITH_TEXT:
                    laid_out = record_moved_on(renderer, laid_out, placement, template_name, context, fetcher)
                return RenderedPDF(
                    pdf=renderer.write(laid_out),
                    pages=len(laid_out.pages),
                    level=level,
                    refused=tuple(fetcher.refused),
                    anchors=seal_anchors(laid_out),
                )
        if problem.startswith("page 1"):
            break
        log.info("circular %s: %s at tightening level %s; tightening", document.document_number, problem, level)
    raise LayoutError(problem)


def warm_up() -> float:
    """Build the process's renderer and render a one-page circular, so fonts are loaded,
    cmaps parsed and the title segmenter (jieba) set up before the first real render.
    Returns the seconds it took."""
    import time

    from notices.circulars.samples import health_code_document
    from notices.circulars.typesetting import title_segmenter

    started = time.perf_counter()
    title_segmenter()
    document = health_code_document(pages=1)
    document.body, document.attachments = "特此通知。", []  # one page, no tightening
    render_circular(document)
    return time.perf_counter() - started
