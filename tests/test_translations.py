"""Chinese is complete: every string in the code and templates has a zh-hans translation."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []


def test_the_compiled_catalogue_is_not_older_than_the_source():
    po = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists()
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo))}
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(po)) if not e.msgid_plural}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}
