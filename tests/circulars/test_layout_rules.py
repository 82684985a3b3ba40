"""Typesetting rules of GB/T 9704-2012 the PDF tests cannot see on their own: 28 justified
characters a line with 行首禁则, balanced titles, the unsealed signature, the colon after the
addressees, page 1 carrying body text and a signature that never stands alone on a page."""

import pytest
from django.template.loader import render_to_string

from notices.circulars.document import CELL, TYPE_WIDTH, CircularDocument
from notices.circulars.rendering import get_renderer, layout_problem, page_classes, render_circular
from notices.circulars.samples import health_code_document
from notices.circulars.typesetting import NOT_END, NOT_START, Paragraph, Run, Typesetter, balance_title


def test_every_line_but_a_paragraphs_last_fills_the_type_width_and_obeys_kinsoku():
    document = health_code_document(pages=5)
    context = document.context()
    setter = Typesetter(width=TYPE_WIDTH, size=16, cell=CELL)
    for paragraph in context["paragraphs"]:
        for number, line in enumerate(paragraph.lines):
            chars = [(ch, run.role) for run in line.runs for ch in run.text]
            assert chars[0][0] not in NOT_START, line.text
            assert chars[-1][0] not in NOT_END, line.text
            if number < len(paragraph.lines) - 1:
                width = (
                    line.indent + sum(setter.advance(ch, role) for ch, role in chars) + line.spacing * (len(chars) - 1)
                )
                assert width == pytest.approx(TYPE_WIDTH, abs=0.01)
                assert abs(line.spacing) < 1.2, line.text  # squeezed or spread by at most ~1 pt


def test_a_full_line_holds_28_characters():
    setter = Typesetter(width=TYPE_WIDTH, size=16, cell=CELL)
    lines = setter.set(Paragraph([Run("fangsong", "长" * 60)], first_indent=0))
    assert [len(line.text) for line in lines] == [28, 28, 4]
    assert lines[0].spacing == pytest.approx(CELL - 16, abs=0.01)


def test_a_closing_mark_is_squeezed_in_or_takes_the_last_character_down():
    setter = Typesetter(width=TYPE_WIDTH, size=16, cell=CELL)
    lines = setter.set(Paragraph([Run("fangsong", "长" * 28 + "。后文")], first_indent=0))
    assert lines[0].text.endswith("长。") and len(lines[0].text) == 29  # squeezed in
    lines = setter.set(Paragraph([Run("fangsong", "长" * 28 + "”。后文")], first_indent=0))
    assert lines[1].text.startswith("长”。")  # two closing marks: the last character goes down


def test_headings_are_set_in_hei_and_kai_and_the_text_after_them_in_fangsong():
    document = health_code_document()
    paragraphs = document.context()["paragraphs"]
    by_kind = {p.kind: p for p in paragraphs}
    assert by_kind["heading-1"].runs[0].role == "hei"
    heading_2 = by_kind["heading-2"]
    assert [run.role for run in heading_2.runs] == ["kai", "fangsong"]
    assert heading_2.runs[0].text.endswith("。")


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于长三角地区健康码互认通用的通知", ["关于长三角地区健康码互认通用的通知"]),
        (
            "长三角区域合作办公室关于建立重大措施相互通报制度的通知",
            ["长三角区域合作办公室关于建立", "重大措施相互通报制度的通知"],  # as the reference page 1
        ),
    ],
)
def test_long_titles_break_into_balanced_lines(title, lines):
    assert balance_title(title, 20) == lines


def test_a_three_line_title_is_balanced():
    title = "长三角区域合作办公室关于进一步做好跨省市通勤人员健康码互认和企业复工复产人员返岗保障工作的通知"
    lines = balance_title(title, 20)
    assert "".join(lines) == title and len(lines) == 3
    assert max(map(len, lines)) - min(map(len, lines)) <= 4


@pytest.mark.parametrize(
    ("signature", "date", "pads"),
    [
        ("长三角区域合作办公室", "2026年3月10日", (2, 3.5)),  # date starts two to the right of the name
        ("苏联办", "2026年12月31日", (8, 2)),  # a longer date ends two from the right
    ],
)
def test_the_unsealed_signature_ends_two_characters_from_the_right(signature, date, pads):
    document = health_code_document()
    document.signature, document.signed_on = signature, date
    assert document.signature_padding() == pads


def test_the_addressees_end_with_a_full_width_colon():
    document = health_code_document()
    document.addressee_line = "上海市、江苏省:"
    assert document.addressees_text() == "上海市、江苏省："


def laid_out_problem(document: CircularDocument, level: int = 0) -> str | None:
    html = render_to_string("circulars/circular.html", document.context(level=level))
    return layout_problem([page_classes(page) for page in get_renderer().layout(html).pages])


def test_a_signature_that_would_stand_alone_is_pulled_back_by_tightening():
    """Short paragraphs are added until, at the normal spacing, the closing lands alone on a
    new page; the rendered circular is then tightened and its signature page has body text."""
    document = health_code_document(pages=1, verify_url="")
    document.attachments = []
    base = document.body
    for extra in range(30):
        document.body = base + "\n特此通知。" * extra
        if laid_out_problem(document) == "the signature stands alone on a page":
            break
    else:
        pytest.fail("no length made the signature stand alone")
    rendered = render_circular(document)
    assert rendered.level >= 1
    assert laid_out_problem(document, rendered.level) is None


def test_page_1_must_carry_body_text():
    document = health_code_document(pages=1)
    document.addressee_line = "、".join(["上海市新冠肺炎疫情防控工作领导小组办公室"] * 18)
    assert laid_out_problem(document) == "page 1 carries no body text"
