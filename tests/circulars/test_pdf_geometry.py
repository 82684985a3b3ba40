"""The GB/T 9704-2012 layout measured from the PDF: A4, the type area's edges, the 28 × 22
grid, the head's red mark, the page numbers and the 版记 on the last page's bottom edge."""

import itertools
import re
import subprocess
from html import unescape

import pytest
from PIL import Image

MM = 72 / 25.4
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def words_by_page(sample_pdf) -> list[list[tuple[float, float, float, float, str]]]:
    html = sample_pdf.text("-bbox")
    pages = []
    for chunk in html.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in WORD.findall(chunk)])
    return pages


def test_the_page_is_a4(sample_pdf):
    html = sample_pdf.text("-bbox")
    sizes = set(PAGE.findall(html))
    assert len(sizes) == 1
    width, height = (float(v) for v in sizes.pop())
    assert width / MM == pytest.approx(210, abs=0.5) and height / MM == pytest.approx(297, abs=0.5)


def test_body_text_stands_between_28_and_184_mm_from_the_left_edge(sample_pdf):
    for number, words in enumerate(words_by_page(sample_pdf), 1):
        body = [w for w in words if w[1] >= 37 * MM and w[3] <= 262 * MM]
        assert body, number
        assert min(w[0] for w in body) >= 28 * MM - 0.5, number
        assert max(w[2] for w in body) <= 184 * MM + 1.0, number


def body_lines(words) -> list[float]:
    """The vertical centres of the lines inside the type area (words within 6 pt of each
    other's centre are one line: faces differ in ascent and descent)."""
    centres = sorted((y_min + y_max) / 2 for _x0, y_min, _x1, y_max, _t in words if 37 * MM - 1 <= y_min <= 262 * MM)
    lines: list[list[float]] = []
    for centre in centres:
        if lines and centre - lines[-1][-1] < 6:
            lines[-1].append(centre)
        else:
            lines.append([centre])
    return [sum(line) / len(line) for line in lines]


def test_a_full_page_holds_22_lines_of_28_characters(sample_pdf):
    pages = words_by_page(sample_pdf)
    # Five pages of text, and the 版记 alone on page 6 so that the document ends on an even page.
    full_pages = pages[1:-2]
    assert len(pages) == 6 and full_pages
    for words in full_pages:
        lines = body_lines(words)
        assert len(lines) == 22
        pitches = [b - a for a, b in itertools.pairwise(lines)]
        assert all(abs(pitch - 225 * MM / 22) < 4 for pitch in pitches), pitches
        assert lines[-1] - lines[0] == pytest.approx(21 * 225 * MM / 22, abs=2)
    # A line of plain text is 28 characters wide.
    text = sample_pdf.text("-f", "2", "-l", "2", "-layout")
    longest = max(len("".join(line.split())) for line in text.splitlines())
    assert 27 <= longest <= 29


def red_rows(image: Image.Image) -> list[int]:
    pixels = image.convert("RGB").load()
    rows = []
    for y in range(image.height):
        if any(
            pixels[x, y][0] > 180 and pixels[x, y][1] < 90 and pixels[x, y][2] < 90 for x in range(0, image.width, 2)
        ):
            rows.append(y)
    return rows


def test_the_red_mark_begins_35_mm_below_the_type_area_and_the_red_rule_spans_it(sample_pdf, tmp_path):
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(sample_pdf.path), str(tmp_path / "p")], check=True
    )
    image = Image.open(next(tmp_path.glob("p*.png")))
    px_per_mm = image.width / 210
    rows = red_rows(image)
    assert (rows[0] / px_per_mm) == pytest.approx(37 + 35, abs=1.5)
    rule = rows[-1]
    pixels = image.convert("RGB").load()
    red = [x for x in range(image.width) if pixels[x, rule][0] > 180 and pixels[x, rule][1] < 90]
    assert min(red) / px_per_mm == pytest.approx(28, abs=1) and max(red) / px_per_mm == pytest.approx(184, abs=1)


def test_page_numbers_stand_7_mm_below_the_type_area_odd_right_even_left(sample_pdf):
    for number, words in enumerate(words_by_page(sample_pdf), 1):
        numbers = [w for w in words if w[4] == str(number) and w[1] > 262 * MM]
        assert len(numbers) == 1, number
        x_min, y_min, x_max, y_max, _text = numbers[0]
        assert (y_min + y_max) / 2 / MM == pytest.approx(262 + 7, abs=1.5)
        if number % 2:
            assert 184 * MM - x_max == pytest.approx(14 + 14 + 4, abs=8)  # "— 1 —" ends one character in
        else:
            assert x_min - 28 * MM == pytest.approx(14 + 14 + 4, abs=8)


def test_the_record_sits_on_the_last_pages_bottom_edge(sample_pdf):
    words = words_by_page(sample_pdf)[-1]
    printed = [w for w in words if w[4].endswith("印发") and w[1] > 200 * MM]
    copy_to = [w for w in words if w[4].startswith("抄送")]
    assert printed and copy_to
    assert printed[0][3] / MM == pytest.approx(262, abs=6)
    assert copy_to[0][1] < printed[0][1]
