"""Which font draws each character of a document, and which characters no font can draw.

pdftotext reads a character drawn as an empty box (.notdef) just as well as a real glyph, so a
missing glyph passes every text test. Before rendering, every character is looked up in the
cmaps (fontTools `getBestCmap()`) of its font stack, in stack order, as Pango falls back;
a character that no font of its stack covers is reported, never silently boxed.

Font stacks are named by role (settings.CIRCULAR_FONT_STACKS); each family is either declared
with an @font-face file (settings.CIRCULAR_FONT_FILES) or found by fontconfig. Every stack ends
with settings.CIRCULAR_FALLBACK_FONT (Noto Serif CJK SC), so a fallback never turns Song or
FangSong text into sans. The faces are loaded once per process.
"""

import functools
import logging
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)

# CSS weight of each role: the heavy Song-style face (小标宋) of marks and titles is bold.
ROLE_WEIGHTS = {"xbs": 700}
FONTCONFIG_BOLD = 200  # fontconfig's FC_WEIGHT_BOLD; regular is 80


class MissingGlyphs(ValueError):
    """Characters that no font of their stack can draw: {role: [characters]}."""

    def __init__(self, missing: dict[str, list[str]]):
        self.missing = missing
        described = "; ".join(
            f"{role}: " + " ".join(f"{ch} (U+{ord(ch):04X})" for ch in chars) for role, chars in missing.items()
        )
        super().__init__(f"no font can draw: {described}")

    @property
    def characters(self) -> list[str]:
        return sorted({ch for chars in self.missing.values() for ch in chars})


@dataclass
class Face:
    """One font face: which code points it covers, and the advance of those that are not a
    full em wide (CJK faces draw almost everything on the em square). Read once, then the
    file is closed."""

    family: str
    path: str
    index: int = 0
    _codepoints: frozenset | None = field(default=None, repr=False)
    _narrow: dict = field(default_factory=dict, repr=False)

    def _load(self) -> None:
        if self._codepoints is not None:
            return
        with TTFont(self.path, fontNumber=self.index, lazy=True) as font:
            cmap = font.getBestCmap()
            upem = font["head"].unitsPerEm
            metrics = font["hmtx"].metrics
            self._narrow = {
                codepoint: metrics[glyph][0] / upem
                for codepoint, glyph in cmap.items()
                if glyph in metrics and metrics[glyph][0] != upem
            }
            self._codepoints = frozenset(cmap)

    @property
    def codepoints(self) -> frozenset:
        self._load()
        return self._codepoints

    def covers(self, codepoint: int) -> bool:
        return codepoint in self.codepoints

    def advance(self, codepoint: int) -> float:
        """The glyph's advance width in em."""
        self._load()
        return self._narrow.get(codepoint, 1.0)


@dataclass
class FontStack:
    role: str
    families: tuple[str, ...]
    weight: int
    faces: list[Face]

    def face_for(self, char: str) -> Face | None:
        codepoint = ord(char)
        for face in self.faces:
            if face.covers(codepoint):
                return face
        return None

    def css_family(self) -> str:
        return ", ".join(f'"{family}"' for family in self.families)


def is_drawn(char: str) -> bool:
    """Whether a character leaves ink (spaces, controls and joiners need no glyph)."""
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp"))


@functools.cache
def _fontconfig_faces() -> list[tuple[tuple[str, ...], int, str, int]]:
    """(families, fontconfig weight, file, index) of every font fontconfig knows."""
    try:
        output = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{weight}\t%{file}\t%{index}\n"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        log.exception("fc-list failed: only the font files of CIRCULAR_FONT_FILES are known")
        return []
    faces = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        families, weight, path, index = parts
        try:
            weight_value = int(float(weight.strip("[]").split()[0]))
        except (ValueError, IndexError):
            weight_value = 80
        faces.append((tuple(name.strip() for name in families.split(",")), weight_value, path, int(index or 0)))
    return faces


def _face_for_family(family: str, weight: int) -> Face | None:
    files = settings.CIRCULAR_FONT_FILES
    if family in files:
        path = files[family]
        return Face(family, path) if Path(path).is_file() else None
    wanted = FONTCONFIG_BOLD if weight >= 600 else 80
    candidates = [
        (abs(w - wanted), path, index) for families, w, path, index in _fontconfig_faces() if family in families
    ]
    if not candidates:
        return None
    _distance, path, index = min(candidates)
    return Face(family, path, index)


def stack_families(role: str) -> tuple[str, ...]:
    families = [family for family in settings.CIRCULAR_FONT_STACKS[role] if family]
    fallback = settings.CIRCULAR_FALLBACK_FONT
    if not families or families[-1] != fallback:
        families = [family for family in families if family != fallback] + [fallback]
    return tuple(families)


# (compact family, weight) → file of the compact copies in use (compact_fonts.py).
_compact_faces: dict[tuple[str, int], str] = {}
LARGE_FONT_BYTES = 8_000_000


def _compact(face: Face, weight: int) -> Face | None:
    from notices.circulars.compact_fonts import compact_copy, compact_family

    if not settings.CIRCULAR_COMPACT_FONTS or face.family in settings.CIRCULAR_FONT_FILES:
        return None
    if Path(face.path).stat().st_size < LARGE_FONT_BYTES:
        return None
    path = compact_copy(face.path, face.index, f"{face.family} {weight}")
    if path is None:
        return None
    family = compact_family(face.family)
    _compact_faces[(family, weight)] = str(path)
    return Face(family, str(path))


@functools.cache
def font_stack(role: str) -> FontStack:
    weight = ROLE_WEIGHTS.get(role, 400)
    families, faces = [], []
    for family in stack_families(role):
        face = _face_for_family(family, weight)
        if face is None:
            log.warning("circular fonts: %r (role %s) is not installed; the stack falls back", family, role)
            families.append(family)
            continue
        compact = _compact(face, weight)
        if compact is not None:
            families.append(compact.family)
            faces.append(compact)
        families.append(family)
        faces.append(face)
    return FontStack(role=role, families=tuple(families), weight=weight, faces=faces)


def compact_font_faces() -> dict[tuple[str, int], str]:
    """(family, weight) → file of every compact copy the stacks use (after font_stacks())."""
    font_stacks()
    return dict(_compact_faces)


def font_stacks() -> dict[str, FontStack]:
    return {role: font_stack(role) for role in settings.CIRCULAR_FONT_STACKS}


def reset_font_cache() -> None:
    """Forget resolved fonts (after settings change, in tests)."""
    from notices.circulars.typesetting import reset_advances

    font_stack.cache_clear()
    _fontconfig_faces.cache_clear()
    _compact_faces.clear()
    reset_advances()


def missing_glyphs(texts_by_role: dict[str, str]) -> dict[str, list[str]]:
    """{role: characters no font of the role's stack covers}, empty when all can be drawn."""
    missing = {}
    for role, text in texts_by_role.items():
        stack = font_stack(role)
        absent = sorted(ch for ch in set(text) if is_drawn(ch) and stack.face_for(ch) is None)
        if absent:
            missing[role] = absent
    return missing


def check_glyphs(texts_by_role: dict[str, str]) -> None:
    """Raise MissingGlyphs when a character of the document cannot be drawn."""
    missing = missing_glyphs(texts_by_role)
    if missing:
        raise MissingGlyphs(missing)


def drawing_faces(texts_by_role: dict[str, str]) -> dict[str, set[str]]:
    """{role: the families that will draw its text}: what the glyph check decided, for tests
    and diagnostics."""
    used = {}
    for role, text in texts_by_role.items():
        stack = font_stack(role)
        used[role] = {face.family for ch in set(text) if is_drawn(ch) and (face := stack.face_for(ch))}
    return used
