"""Fixtures of the signing tests: a signing secret, small PDFs, two issuing organisations."""

import functools
import re

import pytest
from django.utils import translation

from coordination.trust.services import forget_key_material

SECRET = "a-test-signing-secret-of-more-than-32-characters"


@pytest.fixture(autouse=True)
def english():
    """The tests read the problems' English msgids (Chinese is the platform's default language)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def signing_secret(settings):
    settings.SIGNING_KEYS_SECRET = SECRET
    forget_key_material()
    yield
    forget_key_material()


@functools.cache
def _small_pdf(pages: int) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><h1>关于测试文件的通知（第{n}页）</h1>'
        f"<p>各有关单位：请于三月十日前报送联防联控工作情况。Text under the seal stays readable.</p></section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


@pytest.fixture
def small_pdf():
    """`small_pdf(pages=1)`: a tiny PDF made by WeasyPrint (no circular renderer involved)."""
    return lambda pages=1: _small_pdf(pages)


SEAL_BOX = (0, (380.0, 80.0, 500.0, 200.0))  # page 1, 120 pt ≈ 42 mm


def byte_range(pdf: bytes, index: int = -1) -> list[int]:
    ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [int(v) for v in ranges[index]]
