"""Django's `{# … #}` comments end on their line: one left open is printed on the page."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def test_no_one_line_comment_is_left_open():
    open_comments = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert open_comments == []
