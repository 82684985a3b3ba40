"""The electronic seal (电子印章): a red round seal like an organ's official seal (公章) — a
ring, the organisation's name set along the upper arc, a five-pointed star in the centre and
optionally a line of text under it.

One drawing, two outputs: `seal_svg` for HTML pages, `seal_pdf_content` for the signature's
appearance in a PDF. The lettering is drawn as the outlines of SIGNING_SEAL_FONT's glyphs, so
neither needs a font, and the PDF needs no font subset. Coordinates: a 100 × 100 box, origin
bottom-left, y upwards (the SVG flips it). Both are drawn with multiply blending, as ink on
paper: the text under a seal stays black and readable.
"""

import functools
import math
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.safestring import mark_safe
from fontTools.pens.basePen import BasePen

SIZE = 100.0
CENTRE = SIZE / 2
RING_RADIUS = 47.4  # centre line of the ring
RING_WIDTH = 3.6
RED = (0.84, 0.08, 0.10)
RED_HEX = "#d6141a"
OPACITY = 0.85  # with multiply: for viewers that ignore the blend mode, text under it still shows
STAR_RADIUS = 16.0
STAR_INNER_RATIO = 0.382  # a regular five-pointed star
NAME_EM = 16.0  # the name's glyph size for up to 12 characters
# The angle between neighbouring characters when there is room: a short name spreads wider.
NAME_STEP_DEGREES = 27.0
NAME_STEP_DEGREES_SHORT = 31.0  # up to 7 characters
NAME_MAX_SPAN_DEGREES = 240.0
SUBTITLE_EM = 8.5

Command = tuple  # ("M", x, y) | ("L", x, y) | ("C", x1, y1, x2, y2, x3, y3) | ("Z",)
Matrix = tuple[float, float, float, float, float, float]


class _OutlinePen(BasePen):
    """Records a glyph as moveto / lineto / cubic curveto / closepath (quadratics raised to cubics)."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.commands: list[Command] = []

    def _moveTo(self, pt):
        self.commands.append(("M", *pt))

    def _lineTo(self, pt):
        self.commands.append(("L", *pt))

    def _curveToOne(self, pt1, pt2, pt3):
        self.commands.append(("C", *pt1, *pt2, *pt3))

    def _qCurveToOne(self, pt1, pt2):
        (x0, y0), (x1, y1), (x2, y2) = self._getCurrentPoint(), pt1, pt2
        self.commands.append(
            (
                "C",
                x0 + 2 / 3 * (x1 - x0),
                y0 + 2 / 3 * (y1 - y0),
                x2 + 2 / 3 * (x1 - x2),
                y2 + 2 / 3 * (y1 - y2),
                x2,
                y2,
            )
        )

    def _closePath(self):
        self.commands.append(("Z",))

    def _endPath(self):
        self.commands.append(("Z",))


@dataclass(frozen=True)
class _Face:
    glyph_set: object
    cmap: dict
    units_per_em: int
    em_bottom: float  # the ideographic em box, in font units
    em_top: float


_font_lock = threading.Lock()


@functools.cache
def _face(path: str, family: str) -> _Face:
    from fontTools.ttLib import TTCollection, TTFont

    if not Path(path).is_file():
        raise ImproperlyConfigured(
            f"SIGNING_SEAL_FONT {path} does not exist: install fonts-noto-cjk, or point it at a CJK face."
        )
    if path.lower().endswith((".ttc", ".otc")):
        faces = TTCollection(path, lazy=True).fonts
        font = next((f for f in faces if f["name"].getDebugName(1) == family), faces[0])
    else:
        font = TTFont(path, lazy=True)
    os2 = font["OS/2"]
    return _Face(
        glyph_set=font.getGlyphSet(),
        cmap=font.getBestCmap(),
        units_per_em=font["head"].unitsPerEm,
        em_bottom=os2.sTypoDescender,
        em_top=os2.sTypoAscender,
    )


def _current_face() -> _Face:
    with _font_lock:
        return _face(settings.SIGNING_SEAL_FONT, settings.SIGNING_SEAL_FONT_FAMILY)


@functools.lru_cache(maxsize=4096)
def _outline(character: str, path: str, family: str) -> tuple[Command, ...]:
    face = _face(path, family)
    glyph_name = face.cmap.get(ord(character), ".notdef")
    pen = _OutlinePen(face.glyph_set)
    with _font_lock:
        face.glyph_set[glyph_name].draw(pen)
    return tuple(pen.commands)


def _glyph(character: str) -> tuple[Command, ...]:
    return _outline(character, settings.SIGNING_SEAL_FONT, settings.SIGNING_SEAL_FONT_FAMILY)


# --- layout ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Placement:
    character: str
    matrix: Matrix  # font units → seal units


def _glyph_matrix(face: _Face, *, em: float, x_scale: float, angle: float, radius: float, centre) -> Matrix:
    """Scale the glyph's em box to `em` (narrowed by x_scale), centre it on (0, radius), turn it
    by `angle` (radians, anticlockwise from the top) about the seal's centre."""
    k = em / face.units_per_em
    a, b, c, d = math.cos(angle) * k * x_scale, math.sin(angle) * k * x_scale, -math.sin(angle) * k, math.cos(angle) * k
    ox, oy = face.units_per_em / 2, (face.em_bottom + face.em_top) / 2  # the em box's centre
    cx, cy = centre[0] - math.sin(angle) * radius, centre[1] + math.cos(angle) * radius
    return (a, b, c, d, cx - a * ox - c * oy, cy - b * ox - d * oy)


def _layout(name: str, subtitle: str) -> list[_Placement]:
    face = _current_face()
    placements = []
    characters = [ch for ch in name.strip() if not ch.isspace()]
    n = len(characters)
    if n:
        em = NAME_EM if n <= 12 else max(11.0, NAME_EM - 0.5 * (n - 12))
        radius = RING_RADIUS - RING_WIDTH / 2 - 1.4 - em / 2
        step_degrees = NAME_STEP_DEGREES_SHORT if n <= 7 else NAME_STEP_DEGREES
        span = math.radians(min(NAME_MAX_SPAN_DEGREES, step_degrees * (n - 1)))
        step = span / (n - 1) if n > 1 else 0.0
        # Narrow the characters when the arc is crowded (measured a little inside their centre line).
        x_scale = 1.0 if n == 1 else min(1.0, step * (radius - em / 4) / (em * 1.04))
        for i, character in enumerate(characters):
            angle = span / 2 - i * step
            matrix = _glyph_matrix(face, em=em, x_scale=x_scale, angle=angle, radius=radius, centre=(CENTRE, CENTRE))
            placements.append(_Placement(character, matrix))
    subtitle = subtitle.strip()
    if subtitle:
        width = SUBTITLE_EM * 1.05 * len(subtitle)
        x_scale = min(1.0, 48 / width)
        step = SUBTITLE_EM * 1.05 * x_scale
        y = CENTRE - STAR_RADIUS - 2.0 - SUBTITLE_EM / 2
        for i, character in enumerate(subtitle):
            x = CENTRE + (i - (len(subtitle) - 1) / 2) * step
            matrix = _glyph_matrix(face, em=SUBTITLE_EM, x_scale=x_scale, angle=0.0, radius=0.0, centre=(x, y))
            placements.append(_Placement(character, matrix))
    return placements


def _star_points() -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = STAR_RADIUS if i % 2 == 0 else STAR_RADIUS * STAR_INNER_RATIO
        angle = math.pi / 2 + i * math.pi / 5
        points.append((CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)))
    return points


def _n(value: float, places: int = 3) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- SVG ------------------------------------------------------------------------------------------


def _svg_path(commands) -> str:
    parts = []
    for command in commands:
        parts.append(command[0] + " ".join(str(round(v)) for v in command[1:]))
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def seal_svg(name_zh: str, *, subtitle: str = "") -> str:
    """The seal as inline SVG (viewBox 0 0 100 100; size it with CSS, e.g. width: 42mm), safe to
    put in a template as it is (the name is escaped)."""
    star = " ".join(f"{_n(x)} {_n(y)}" for x, y in _star_points())
    glyphs = "".join(
        f'<path transform="matrix({" ".join(_n(v, 5) for v in p.matrix)})" d="{_svg_path(_glyph(p.character))}"/>'
        for p in _layout(name_zh, subtitle)
    )
    label = escape(f"{name_zh} {subtitle}".strip())
    return mark_safe(  # noqa: S308 - built from numbers and the escaped name only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" class="seal" role="img" '
        f'aria-label="{label}"><style>.seal-ink{{mix-blend-mode:multiply}}</style>'
        f'<g class="seal-ink" fill="{RED_HEX}" fill-opacity="{OPACITY}" stroke-opacity="{OPACITY}" '
        'transform="matrix(1 0 0 -1 0 100)">'
        f'<circle cx="50" cy="50" r="{RING_RADIUS}" fill="none" stroke="{RED_HEX}" stroke-width="{RING_WIDTH}"/>'
        f'<polygon points="{star}"/>{glyphs}</g></svg>'
    )


# --- PDF ------------------------------------------------------------------------------------------


def _pdf_path(commands) -> str:
    operators = {"M": "m", "L": "l", "C": "c", "Z": "h"}
    return " ".join(" ".join([*(str(round(v)) for v in command[1:]), operators[command[0]]]) for command in commands)


def _pdf_circle(radius: float) -> str:
    k = 0.5522847498 * radius
    c, r = CENTRE, radius
    return " ".join(
        [
            f"{_n(c + r)} {_n(c)} m",
            f"{_n(c + r)} {_n(c + k)} {_n(c + k)} {_n(c + r)} {_n(c)} {_n(c + r)} c",
            f"{_n(c - k)} {_n(c + r)} {_n(c - r)} {_n(c + k)} {_n(c - r)} {_n(c)} c",
            f"{_n(c - r)} {_n(c - k)} {_n(c - k)} {_n(c - r)} {_n(c)} {_n(c - r)} c",
            f"{_n(c + k)} {_n(c - r)} {_n(c + r)} {_n(c - k)} {_n(c + r)} {_n(c)} c h",
        ]
    )


@functools.lru_cache(maxsize=256)
def seal_pdf_content(name_zh: str, *, subtitle: str = "") -> bytes:
    """The seal as a PDF content stream in a 100 × 100 box, without the graphics state that sets
    the blend mode (the caller's form XObject supplies it)."""
    colour = " ".join(_n(v) for v in RED)
    star = _star_points()
    parts = [
        f"{colour} rg {colour} RG {_n(RING_WIDTH)} w",
        f"{_pdf_circle(RING_RADIUS)} S",
        " ".join(f"{_n(x)} {_n(y)} {'m' if i == 0 else 'l'}" for i, (x, y) in enumerate(star)) + " h f",
    ]
    for placement in _layout(name_zh, subtitle):
        matrix = " ".join(_n(v, 5) for v in placement.matrix)
        parts.append(f"q {matrix} cm {_pdf_path(_glyph(placement.character))} f Q")
    return "\n".join(parts).encode("ascii")
