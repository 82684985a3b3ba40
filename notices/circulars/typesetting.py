"""Line breaking on the GB/T 9704 grid: 28 characters of 3号 per line, both edges flush.

WeasyPrint justifies by widening spaces, and Chinese has none, so a line that must not end
before a closing mark (，。、） … may not start a line: 行首禁则) would stay a character
short. Paragraphs are therefore broken here, with the advance widths of the faces that will
draw each character (notices/circulars/glyphs.py), and every line but a paragraph's last is
given the letter-spacing that makes it exactly as wide as the type area — squeezing a closing
mark into the line when one character more is all it needs (标点挤压), as Chinese word processors do.
"""

import functools
import re
from dataclasses import dataclass, field

from notices.circulars.glyphs import font_stack, is_drawn

# 行首禁则 / 行尾禁则: what may not start / end a line.
NOT_START = set("，。、；：？！）》」』】〕〗〉”’…—·%‰℃,.;:?!)]}")
NOT_END = set("（《「『【〔〖〈“‘([{")
REPEATED_MARKS = set("—…")  # ——, …… are one mark that a line never splits
SQUEEZE_CELLS = 1.0  # a line may take one closing mark more, compressed (under 5 %) to fit
EPSILON = 0.01  # pt

HEADING_1 = re.compile(r"^[一二三四五六七八九十百]+、")
HEADING_2 = re.compile(r"^（[一二三四五六七八九十百]+）")


@dataclass
class Run:
    role: str
    text: str
    plain: bool = False  # drawn in the line's own face: no element needed (style_lines)


@dataclass
class Line:
    runs: list[Run]
    indent: float  # pt
    spacing: float  # letter-spacing in pt
    justified: bool
    classes: str = ""  # the generated classes that set its indent and spacing (style_lines)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def indent_css(self) -> str:
        return f"{self.indent:.3f}pt"

    @property
    def spacing_css(self) -> str:
        return f"{self.spacing:.4f}pt"


@dataclass
class Paragraph:
    runs: list[Run]
    first_indent: float = 2  # in cells
    indent: float = 0  # continuation lines, in cells
    justify: bool = True
    kind: str = "body"
    lines: list[Line] = field(default_factory=list)


def is_wide(char: str) -> bool:
    """Characters set in the grid's full cell (CJK ideographs, kana, full-width forms)."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFF60
        or 0x20000 <= code <= 0x3FFFF
        or char in "—…“”‘’·"
    )


def body_runs(text: str, body_role: str = "fangsong") -> tuple[list[Run], str]:
    """A paragraph of the body split into runs by heading level (一、 in 黑体, （一） in 楷体,
    1. and （1） in the body face): the heading ends at its first 。 and the paragraph's text
    goes on in the body face."""
    for pattern, role, kind in ((HEADING_1, "hei", "heading-1"), (HEADING_2, "kai", "heading-2")):
        if pattern.match(text):
            end = text.find("。")
            if end == -1 or end == len(text) - 1:
                return [Run(role, text)], kind
            return [Run(role, text[: end + 1]), Run(body_role, text[end + 1 :])], kind
    return [Run(body_role, text)], "body"


@functools.cache
def _advance_em(char: str, role: str) -> float:
    """The advance of a character in em, as the face that draws it has it."""
    if not is_drawn(char) and char != " ":
        return 0.0
    face = font_stack(role).face_for(char)
    em = face.advance(ord(char)) if face else 1.0
    if is_wide(char) and char not in REPEATED_MARKS:
        em = max(em, 1.0)
    return em


def reset_advances() -> None:
    _advance_em.cache_clear()


class Typesetter:
    """Breaks paragraphs into lines `width` pt wide, for a font size and a grid cell (the
    advance of one character on the grid, slightly less than the size for 28 per line)."""

    def __init__(self, *, width: float, size: float, cell: float):
        self.width = width
        self.size = size
        self.cell = cell

    def advance(self, char: str, role: str) -> float:
        return _advance_em(char, role) * self.size

    def _units(self, runs: list[Run]) -> list[list[tuple[str, str]]]:
        """Unbreakable units: a wide character, a repeated mark (——), a Latin word, a space."""
        chars = [(ch, run.role) for run in runs for ch in run.text if ch not in "\r\n"]
        units: list[list[tuple[str, str]]] = []
        for ch, role in chars:
            previous = units[-1] if units else None
            if (previous and ch in REPEATED_MARKS and previous[-1][0] == ch) or (
                previous
                and not is_wide(ch)
                and ch != " "
                and not is_wide(previous[-1][0])
                and previous[-1][0] != " "
                and previous[-1][0] not in NOT_START - set(".,%")
            ):
                previous.append((ch, role))
            else:
                units.append([(ch, role)])
        # A Latin word longer than a line (a hash, a URL) breaks anywhere.
        limit = self.width * 0.5
        split: list[list[tuple[str, str]]] = []
        for unit in units:
            if len(unit) > 1 and sum(self.advance(ch, role) for ch, role in unit) > limit:
                split.extend([item] for item in unit)
            else:
                split.append(unit)
        return split

    def _width(self, unit) -> float:
        return sum(self.advance(ch, role) + (self.cell - self.size) for ch, role in unit)

    def set(self, paragraph: Paragraph) -> list[Line]:
        units = self._units(paragraph.runs)
        lines: list[Line] = []
        start = 0
        while start < len(units):
            while start < len(units) and units[start][0][0] == " ":
                start += 1
            if start >= len(units):
                break
            indent = (paragraph.first_indent if not lines else paragraph.indent) * self.cell
            capacity = self.width - indent
            end, width = start, 0.0
            while end < len(units) and width + self._width(units[end]) <= capacity + EPSILON:
                width += self._width(units[end])
                end += 1
            if end == len(units):
                lines.append(self._line(units[start:end], indent, capacity, last=True, justify=paragraph.justify))
                break
            end = start + 1 if end == start else self._respect_kinsoku(units, start, end, width, capacity)
            lines.append(self._line(units[start:end], indent, capacity, last=False, justify=paragraph.justify))
            start = end
        paragraph.lines = lines
        return lines

    def _respect_kinsoku(self, units, start: int, end: int, width: float, capacity: float) -> int:
        following = units[end]
        if following[0][0] in NOT_START:
            # Squeeze the closing mark in when half a cell suffices, else take the last unit
            # down with it.
            after = units[end + 1] if end + 1 < len(units) else None
            squeezed = width + self._width(following)
            if squeezed <= capacity + SQUEEZE_CELLS * self.cell and not (after and after[0][0] in NOT_START):
                return end + 1
            while end - 1 > start and units[end][0][0] in NOT_START:
                end -= 1
        while end - 1 > start and units[end - 1][-1][0] in NOT_END:
            end -= 1
        return end

    def _line(self, units, indent: float, capacity: float, *, last: bool, justify: bool) -> Line:
        chars = [item for unit in units for item in unit]
        while chars and chars[-1][0] == " ":
            chars.pop()
        runs: list[Run] = []
        for ch, role in chars:
            if runs and runs[-1].role == role:
                runs[-1].text += ch
            else:
                runs.append(Run(role, ch))
        natural = sum(self.advance(ch, role) for ch, role in chars)
        if last or not justify or len(chars) < 2:
            spacing = self.cell - self.size
        else:
            # The spacing between characters that puts the last one's edge on the type area's.
            spacing = (capacity - natural) / (len(chars) - 1)
        return Line(runs=runs, indent=indent, spacing=spacing, justified=justify and not last)


def style_lines(lines, default_role: str = "fangsong") -> list[tuple[str, str]]:
    """Give each line the classes that set its indent and letter-spacing, shared by all lines
    with the same values (inline style attributes cost WeasyPrint a CSS parse per element);
    returns the (class, declaration) rules to put in the document's stylesheet."""
    rules: dict[str, str] = {}
    names: dict[str, str] = {}
    for line in lines:
        classes = []
        for prefix, declaration in (
            ("i", f"padding-left: {line.indent:.3f}pt"),
            ("s", f"letter-spacing: {line.spacing:.4f}pt"),
        ):
            if declaration not in names:
                names[declaration] = f"{prefix}{len(names)}"
                rules[names[declaration]] = declaration
            classes.append(names[declaration])
        line.classes = " ".join(classes)
        # Runs in the block's own face need no element of their own.
        for run in line.runs:
            run.plain = run.role == default_role
    return list(rules.items())


TITLE_BREAK_AFTER = ("关于", "的", "和", "与", "及", "对", "在")
TITLE_BREAK_BEFORE = ("关于", "的通知", "的通报", "的意见", "的决定", "的报告", "的函", "的批复", "的公告")


def balance_title(title: str, max_chars: int) -> list[str]:
    """Break a long title into lines of balanced length (梯形 or 菱形, never a short last
    line), preferring breaks next to 关于/的/和…; explicit line breaks are kept."""
    if "\n" in title:
        return [part.strip() for part in title.splitlines() if part.strip()]
    if len(title) <= max_chars:
        return [title]
    count = -(-len(title) // max_chars)
    lines, rest = [], title
    for remaining in range(count, 1, -1):
        target = len(rest) / remaining
        best, best_score = None, None
        for cut in range(max(1, int(target) - 4), min(len(rest), max_chars) + 1):
            head, tail = rest[:cut], rest[cut:]
            if len(tail) > max_chars * (remaining - 1) or head[-1] in NOT_END or tail[0] in NOT_START:
                continue
            score = abs(len(head) - target)
            if head.endswith(TITLE_BREAK_AFTER) or tail.startswith(TITLE_BREAK_BEFORE):
                score -= 1.5
            if len(head) > target + 0.5:
                score += 0.25  # prefer a pyramid: the first line not longer than the next
            if best_score is None or score < best_score:
                best, best_score = cut, score
        best = best or min(max_chars, len(rest) - 1)
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return lines
