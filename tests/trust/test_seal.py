"""The electronic seal: a red ring, the name along the upper arc, a star; drawn without fonts."""

from xml.etree import ElementTree

import pytest

from coordination.trust.seal import seal_pdf_content, seal_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


@pytest.mark.parametrize("name", ["无锡市人民医院", "长三角区域合作办公室", "江苏省联防联控工作领导小组办公室"])
def test_the_svg_has_a_ring_a_star_and_one_outline_per_character(name):
    svg = parse(seal_svg(name))
    assert svg.get("viewBox") == "0 0 100 100"
    assert svg.get("aria-label") == name
    assert len(svg.findall(f".//{SVG}circle")) == 1
    assert len(svg.findall(f".//{SVG}polygon")) == 1
    assert len(svg.findall(f".//{SVG}path")) == len(name)
    assert not svg.findall(f".//{SVG}text")  # outlines: no font needed where it is shown
    assert "multiply" in seal_svg(name)


def test_a_line_under_the_star_is_drawn_too():
    svg = parse(seal_svg("上海市卫生健康委员会", subtitle="专用章"))
    assert len(svg.findall(f".//{SVG}path")) == len("上海市卫生健康委员会") + 3


def test_the_name_reads_left_to_right_over_the_top():
    """The first character sits left of the centre, the last right of it, the middle on top."""
    svg = parse(seal_svg("一二三四五"))
    xs = [float(p.get("transform").removeprefix("matrix(").rstrip(")").split()[4]) for p in svg.iter(f"{SVG}path")]
    assert xs == sorted(xs)


def test_the_pdf_drawing_is_red_paths_without_text_operators():
    content = seal_pdf_content("长三角区域合作办公室")
    assert content.startswith(b"0.84 0.08 0.1 rg")
    assert content.count(b" cm ") == len("长三角区域合作办公室")
    assert b"BT" not in content and b"Tj" not in content
    assert seal_pdf_content("长三角区域合作办公室") is content  # made once per name


def test_a_name_is_escaped_in_the_svg():
    svg = seal_svg('测试"><script>alert(1)</script>')
    assert "<script>" not in svg
    parse(svg)
