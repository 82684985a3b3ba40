"""A character no font can draw is reported before rendering, never drawn as an empty box
(pdftotext would read the box's character all the same)."""

import pytest
from django.test import override_settings

from notices.circulars import glyphs
from notices.circulars.document import CircularDocument
from notices.circulars.glyphs import MissingGlyphs, check_glyphs, drawing_faces, font_stack, missing_glyphs
from notices.circulars.rendering import render_circular
from notices.circulars.samples import health_code_document
from notices.models import Circular

RARE = "\U0002a6d6"  # 𪛖 (CJK Extension B): in none of the installed fonts


def test_every_stack_ends_with_noto_serif_cjk_sc_so_a_fallback_stays_serif():
    for role in ("song", "xbs", "fangsong", "kai", "hei"):
        assert font_stack(role).families[-1] == "Noto Serif CJK SC"


def test_the_sample_circular_has_a_glyph_for_every_character():
    document = health_code_document(pages=5)
    assert missing_glyphs(document.texts_by_role()) == {}


def test_each_character_is_drawn_by_the_first_face_of_its_stack_that_covers_it():
    faces = drawing_faces({"fangsong": "沪苏浙皖联防〔2026〕3号", "hei": "一、总体要求", "xbs": "长三角区域合作办公室"})
    assert faces == {
        "fangsong": {"FandolFang"},
        "hei": {"Noto Sans CJK SC GB2312"},  # the compact copy of Noto Sans CJK SC
        "xbs": {"Noto Serif CJK SC GB2312"},
    }


def test_a_character_outside_gb2312_is_drawn_by_the_full_face():
    assert drawing_faces({"xbs": "镕"}) == {"xbs": {"Noto Serif CJK SC"}}


def test_a_character_no_font_covers_is_reported_with_its_code_point():
    with pytest.raises(MissingGlyphs) as error:
        check_glyphs({"fangsong": f"{RARE}{RARE}面馆"})
    assert error.value.missing == {"fangsong": [RARE]}
    assert "U+2A6D6" in str(error.value)


def test_rendering_refuses_a_document_with_a_missing_glyph():
    document = health_code_document(pages=1)
    document.body += f"\n西安{RARE}{RARE}面馆复工。"
    with pytest.raises(MissingGlyphs):
        render_circular(document)


def test_a_missing_face_falls_back_along_the_stack():
    stacks = {"fangsong": ["No Such FangSong", "Noto Serif CJK SC"], "song": ["Noto Serif CJK SC"]}
    glyphs.reset_font_cache()
    try:
        with override_settings(
            CIRCULAR_FONT_STACKS={**stacks, "xbs": [], "kai": [], "hei": []}, CIRCULAR_COMPACT_FONTS=False
        ):
            assert [face.family for face in font_stack("fangsong").faces] == ["Noto Serif CJK SC"]
            assert missing_glyphs({"fangsong": "仿宋"}) == {}
    finally:
        glyphs.reset_font_cache()


def test_issuing_through_the_api_answers_400_naming_the_characters(demo, api_as):
    response = api_as(demo.user("yrd-office")).post(
        "/api/v1/circulars/",
        {"title": "关于面馆复工的通知", "addressees": ["sh-liaison"], "body": f"{RARE}{RARE}面馆有序复工。"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "missing_glyphs"
    assert RARE in error["message"]
    assert error["details"]["missing"] == {"fangsong": [RARE]}
    assert not Circular.objects.exists()


def test_a_document_is_a_circular_document():
    assert isinstance(health_code_document(), CircularDocument)
