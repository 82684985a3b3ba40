"""What a reader and a PDF tool find in a rendered circular: all of its words, its page
numbers, and embedded, subset fonts with Unicode maps."""

import re
import subprocess
import unicodedata

PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")


def normalised(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_it_contains_the_number_title_addressees_and_every_body_paragraph(sample_pdf):
    text = normalised(PAGE_NUMBER.sub("", sample_pdf.text()))
    document = sample_pdf.document
    for part in (document.document_number, document.title, document.addressee_line, document.signature):
        assert normalised(part) in text, part
    for paragraph in document.body_paragraphs():
        assert normalised(paragraph) in text, paragraph
    for attachment in document.attachments:
        assert normalised(attachment) in text


def test_every_page_carries_its_number_between_dashes(sample_pdf):
    assert sample_pdf.pages == 6  # five of text, the 版记 on the sixth (an even last page)
    for page in range(1, sample_pdf.pages + 1):
        text = sample_pdf.text("-f", str(page), "-l", str(page))
        assert [int(n) for n in PAGE_NUMBER.findall(unicodedata.normalize("NFKC", text))] == [page]


def test_every_font_is_embedded_as_a_subset_with_a_unicode_map_and_none_is_type_3(sample_pdf):
    output = subprocess.run(["pdffonts", str(sample_pdf.path)], capture_output=True, text=True, check=True).stdout
    rows = output.splitlines()[2:]
    assert len(rows) >= 4
    for row in rows:
        name, *_middle, emb, sub, uni, _obj, _gen = row.split()
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), row
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "Type 3" not in row


def test_the_fonts_are_the_standards_faces(sample_pdf):
    """Song-style heavy face for the mark and title, FangSong for the body, 黑体 for 一、, 楷体 for （一）."""
    output = subprocess.run(["pdffonts", str(sample_pdf.path)], capture_output=True, text=True, check=True).stdout
    names = {row.split()[0].split("+", 1)[1] for row in output.splitlines()[2:]}
    assert any(name.startswith("Noto-Serif-CJK-SC") and name.endswith("Bold") for name in names), names
    assert "FandolFang" in names
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in names), names
    assert any(name.startswith("AR-PL-UKai-CN") for name in names), names
