"""Line breaking on the GB/T 9704 grid: 28 characters of 3号 per line, both edges flush.

WeasyPrint justifies by widening spaces, and Chinese has none, so a line that must not end
before a closing mark (，。、） … may not start a line: 行首禁则) would stay a character
short. Paragraphs are therefore broken here, with the advance widths of the faces that will
draw each character (notices/circulars/glyphs.py), and every line but a paragraph's last is
given the letter-spacing that makes it exactly as wide as the type area — squeezing a closing
mark into the line when one character more is all it needs (标点挤压), as Chinese word processors do.
"""

import functools
import itertools
import logging
import math
import os
import re
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from notices.circulars.glyphs import font_stack, is_drawn

# 行首禁则 / 行尾禁则: what may not start / end a line.
NOT_START = set("，。、；：？！）》」』】〕〗〉”’…—·%‰℃,.;:?!)]}")
NOT_END = set("（《「『【〔〖〈“‘([{")
REPEATED_MARKS = set("—…")  # ——, …… are one mark that a line never splits
SQUEEZE_CELLS = 1.0  # a line may take one closing mark more, compressed (under 5 %) to fit
EPSILON = 0.01  # pt

HEADING_1 = re.compile(r"^[一二三四五六七八九十百]+、")
HEADING_2 = re.compile(r"^（[一二三四五六七八九十百]+）")
HEADING_SENTENCE_MARKS = set("，；：？！,;:?!")
HEADING_MAX_CHARS = 26  # a heading fits on its first line (28 characters, 2 indented)


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
    1. and （1） in the body face): only the heading takes the heading's face, the text after
    it goes on in the body face (heading_length)."""
    for pattern, role, kind in ((HEADING_1, "hei", "heading-1"), (HEADING_2, "kai", "heading-2")):
        match = pattern.match(text)
        if match:
            end = heading_length(text, match.end())
            if end >= len(text):
                return [Run(role, text)], kind
            return [Run(role, text[:end]), Run(body_role, text[end:])], kind
    return [Run(body_role, text)], "body"


def heading_length(text: str, ordinal_end: int) -> int:
    """How much of a numbered paragraph is its heading: a run-in heading up to its first 。
    ("（一）加快系统对接。各地…"), the whole paragraph when it is a heading alone ("一、总体
    要求"), and only the ordinal when the paragraph is a numbered sentence — one with a
    comma or colon before its first 。, or longer than a line ("一、各地要……，……。")."""
    stop = text.find("。")
    end = len(text) if stop == -1 else stop + 1
    heading = text[ordinal_end:end]
    if any(mark in HEADING_SENTENCE_MARKS for mark in heading) or len(text[:end]) > HEADING_MAX_CHARS:
        return ordinal_end
    return end


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


# --- titles -------------------------------------------------------------------------------------

TITLE_WORDS_FILE = Path(__file__).resolve().parent / "title_words.txt"
TITLE_MIN_RATIO = 0.6  # no line of a title shorter than 60 % of its longest
# A line may end after 关于 (the issuer on a line of its own) or start with it; it should not
# end on a word that leans on the next one, nor start with one that leans on the previous.
TITLE_GOOD_BREAKS = ("关于",)
TITLE_LEANING_FORWARD = set("的和与及或并对在等为第把将向从由按来赴到至经")
TITLE_LEANING_BACK = set("下中后时前上内外间")
TITLE_JOINED = re.compile(r"[0-9A-Za-z]")  # a number or Latin word keeps its unit: 14天, 2026年
PHRASE_BREAK_COST = 2.0  # breaking a mechanism's name at one of its spaces

_segmenter = None
_segmenter_lock = threading.Lock()


@functools.cache
def _title_dictionary() -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """(words, {phrase: the offsets of its spaces}) of notices/circulars/title_words.txt."""
    words, phrases = [], {}
    for line in TITLE_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        words.extend(parts)
        if len(parts) > 1:
            phrases["".join(parts)] = tuple(itertools.accumulate(len(part) for part in parts[:-1]))
    return tuple(dict.fromkeys(words)), phrases


def title_words() -> tuple[str, ...]:
    """The words a title never breaks inside."""
    return _title_dictionary()[0]


def title_phrases() -> dict[str, tuple[int, ...]]:
    """The phrases a title breaks inside only at their spaces, and only when it must."""
    return _title_dictionary()[1]


def _jieba_cache_dir() -> str:
    """A private directory under the system's temp dir for jieba's dictionary cache (jieba
    reads it back with marshal: it is not left where another user could replace it)."""
    owner = os.getuid() if hasattr(os, "getuid") else "user"
    path = Path(tempfile.gettempdir()) / f"jieba-{owner}"
    path.mkdir(mode=0o700, exist_ok=True)
    return str(path)


def title_segmenter():
    """jieba's tokenizer with the platform's words, built once per process and quietly
    (about a second; jieba's cache is written the first time on a machine)."""
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # jieba imports pkg_resources
                import jieba
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = _jieba_cache_dir()
            for word in [*title_words(), *title_phrases()]:
                tokenizer.add_word(word)
            _segmenter = tokenizer
        return _segmenter


def title_segments(title: str) -> list[str]:
    """The title cut into words by jieba and the platform's dictionary (a phrase into its
    parts: jieba keeps it whole, break_title decides whether it may break)."""
    phrases = title_phrases()
    segments = []
    for word in title_segmenter().cut(title):
        if word in phrases:
            edges = [0, *phrases[word], len(word)]
            segments.extend(word[a:b] for a, b in itertools.pairwise(edges))
        else:
            segments.append(word)
    return segments


def _cells(text: str) -> float:
    return sum(1.0 if is_wide(ch) else 0.5 for ch in text)


def _occurrences(title: str, word: str):
    start = title.find(word)
    while start != -1:
        yield start
        start = title.find(word, start + 1)


def title_break_positions(title: str, *, between_words: bool = True, in_phrases: bool = False) -> list[int]:
    """Where a title's line may end: between two words of the segmenter (anywhere, when
    `between_words` is false), never inside a word of the dictionary whatever jieba made of
    it, inside a phrase only at its spaces (`in_phrases`), never against 行首/行尾禁则, nor
    between a number and its unit."""
    if between_words:
        cuts = set(itertools.accumulate(len(word) for word in title_segments(title)[:-1]))
    else:
        cuts = set(range(1, len(title)))
    for phrase, spaces in title_phrases().items():
        for start in _occurrences(title, phrase):
            cuts.difference_update(range(start + 1, start + len(phrase)))
            if in_phrases:
                cuts.update(start + offset for offset in spaces)
    for word in title_words():
        for start in _occurrences(title, word):
            cuts.difference_update(range(start + 1, start + len(word)))
    return sorted(
        cut
        for cut in cuts
        if 0 < cut < len(title)
        and title[cut - 1] not in NOT_END
        and title[cut] not in NOT_START
        and not TITLE_JOINED.match(title[cut - 1])
        and not (title[cut - 1] in REPEATED_MARKS and title[cut] == title[cut - 1])
    )


def _is_unimodal(widths: list[float]) -> bool:
    """梯形 (growing or shrinking) or 菱形 (longest in the middle): never an hourglass."""
    peak = widths.index(max(widths))
    rising = all(a <= b for a, b in itertools.pairwise(widths[: peak + 1]))
    falling = all(a >= b for a, b in itertools.pairwise(widths[peak:]))
    return rising and falling


def title_is_balanced(lines: list[str]) -> bool:
    """The measure the title breaker holds itself to: no line shorter than 60 % of the
    longest, and a 梯形 or 菱形 shape."""
    widths = [_cells(line) for line in lines]
    return min(widths) >= TITLE_MIN_RATIO * max(widths) and _is_unimodal(widths)


def _break_cost(title: str, cut: int, words: dict[int, str]) -> float:
    """What a line break at `cut` costs besides the shape: less next to 关于, more after a
    word that leans forward (的, 和 …) or before one that leans back (下, 中 …)."""
    cost = 0.0
    if title.endswith(TITLE_GOOD_BREAKS, 0, cut) or title.startswith(TITLE_GOOD_BREAKS, cut):
        cost -= 0.5
    before, after = words.get(cut, ("", ""))
    if before in TITLE_LEANING_FORWARD:
        cost += 1.5
    if after in TITLE_LEANING_BACK:
        cost += 2.5
    return cost


def _title_cost(lines: list[str], break_costs: float, extra_lines: int) -> float:
    """Lower is better: the spread of the lines' widths in cells, a little more for a shape
    narrowing downwards (the pyramid is the usual form), the breaks' own costs, and much
    more for each line beyond what the title needs and for an unbalanced shape."""
    widths = [_cells(line) for line in lines]
    cost = max(widths) - min(widths) + break_costs + 4 * extra_lines
    if not all(a <= b for a, b in itertools.pairwise(widths)):
        cost += 0.5
    if not title_is_balanced(lines):
        cost += 100
    return cost


def _title_splits(title: str, cuts: list[int], count: int, max_cells: float):
    """Every way of cutting the title at `cuts` into `count` lines none wider than
    max_cells, as lists of cut positions."""

    def extend(start: int, remaining: int):
        if remaining == 1:
            if _cells(title[start:]) <= max_cells:
                yield []
            return
        for cut in cuts:
            if cut <= start:
                continue
            if _cells(title[start:cut]) > max_cells:
                break
            for rest in extend(cut, remaining - 1):
                yield [cut, *rest]

    yield from extend(0, count)


def _best_title_split(title: str, cuts: list[int], max_cells: float, phrase_cuts: set[int]):
    """The cheapest split of the title at `cuts` (lines, cost), or (None, None)."""
    segments = title_segments(title)
    boundaries = list(itertools.accumulate(len(word) for word in segments))
    words = {end: (segments[i], segments[i + 1]) for i, end in enumerate(boundaries[:-1])}
    own = {cut: _break_cost(title, cut, words) + (PHRASE_BREAK_COST if cut in phrase_cuts else 0) for cut in cuts}
    needed = math.ceil(_cells(title) / max_cells)
    best, best_cost = None, None
    for count in range(needed, needed + 2):
        for split in _title_splits(title, cuts, count, max_cells):
            edges = [0, *split, len(title)]
            lines = [title[a:b] for a, b in itertools.pairwise(edges)]
            cost = _title_cost(lines, sum(own[cut] for cut in split), count - needed)
            if best_cost is None or cost < best_cost:
                best, best_cost = lines, cost
    return best, best_cost


def break_title(title: str, max_cells: float) -> list[str]:
    """A title's lines (GB/T 9704-2012 7.3.1: 词意完整、排列对称): broken only between words,
    in the most balanced 梯形 or 菱形 shape (title_is_balanced); a mechanism's name is broken
    at its spaces only when the title cannot be balanced otherwise, and a word only when it
    is wider than a line. Explicit line breaks are kept."""
    if "\n" in title:
        return [part.strip() for part in title.splitlines() if part.strip()]
    if _cells(title) <= max_cells:
        return [title]
    words = title_break_positions(title)
    with_phrases = title_break_positions(title, in_phrases=True)
    best, _cost = _best_title_split(title, words, max_cells, set())
    if best is None or not title_is_balanced(best):
        candidate, _cost = _best_title_split(title, with_phrases, max_cells, set(with_phrases) - set(words))
        if candidate is not None and (best is None or title_is_balanced(candidate)):
            best = candidate
    for cuts in (title_break_positions(title, between_words=False), list(range(1, len(title)))):
        if best is not None:
            break
        best, _cost = _best_title_split(title, cuts, max_cells, set())
    return best or [title]


def balance_title(title: str, max_chars: int) -> list[str]:
    """The title's lines at `max_chars` characters of the title's size a line (break_title)."""
    return break_title(title, max_chars)
