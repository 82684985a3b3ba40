"""Fixtures of the circulars tests: a rendered sample circular, issuing through the service
with the render run synchronously, and guards that fail a test on a fontTools fallback or a
queued task escaping to a broker."""

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from notices.circulars import tasks
from notices.circulars.rendering import render_circular
from notices.circulars.samples import HEALTH_CODE_ADDRESSEES, HEALTH_CODE_BODY, HEALTH_CODE_TITLE, health_code_document
from notices.circulars.services import circular_issue, circular_render, circular_sign_off

MM = 72 / 25.4


class FontFallbackWarning(logging.Handler):
    """Collects what the weasyprint logger says about fonts (the fontTools fallback above all)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        message = record.getMessage()
        if any(word in message for word in ("fontTools", "HarfBuzz", "Font-face", "font")):
            self.records.append(message)


@pytest.fixture(autouse=True)
def no_font_fallback():
    """The fontTools-fallback warning (or any font warning) of WeasyPrint fails the test."""
    handler = FontFallbackWarning()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    assert handler.records == [], handler.records


@pytest.fixture(autouse=True)
def queued_renders(monkeypatch):
    """Renders queued after commit are recorded, never sent to a broker."""
    queued = []
    monkeypatch.setattr(tasks.render_circular, "apply_async", lambda args, **kwargs: queued.append(args[0]))
    return queued


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class RenderedSample:
    path: Path
    pdf: bytes
    pages: int
    level: int
    document: object

    def text(self, *args: str) -> str:
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", *args, str(self.path), "-"], capture_output=True, text=True, check=True
        ).stdout


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> RenderedSample:
    """沪苏浙皖联防〔2026〕3号, five pages, rendered once for the session."""
    document = health_code_document(pages=5, verify_url="http://127.0.0.1:8000/circulars/verify/" + "a" * 64 + "/")
    rendered = render_circular(document)
    path = tmp_path_factory.mktemp("circular") / "sample.pdf"
    path.write_bytes(rendered.pdf)
    return RenderedSample(path, rendered.pdf, rendered.pages, rendered.level, document)


def signer_of(demo, organisation):
    """The demo user who signs off the organisation's circulars (its office head or leader)."""
    from coordination.models import Membership

    return demo.user(
        Membership.objects.filter(organisation=organisation, role__in=["signer", "leader"])
        .order_by("role")
        .values_list("user__username", flat=True)
        .first()
    )


@pytest.fixture
def issue(demo):
    """`issue(by="yrd-office", to=("sh-liaison", …), render=True, **fields)`: a circular drafted
    by `by` through the service and signed off (so issued) by its organisation's office head
    or leader, rendered synchronously unless render=False."""

    def make(by="yrd-office", to=("sh-liaison", "js-liaison", "zj-liaison", "ah-liaison"), render=True, **fields):
        fields.setdefault("title", HEALTH_CODE_TITLE)
        fields.setdefault("addressee_line", HEALTH_CODE_ADDRESSEES)
        fields.setdefault("body", HEALTH_CODE_BODY.split("\n")[0])
        circular = circular_issue(by=demo.user(by), addressees=[demo.org(code) for code in to], **fields)
        if circular.status == circular.Status.AWAITING_SIGN_OFF:
            circular = circular_sign_off(by=signer_of(demo, circular.issuer), circular_id=circular.pk)
        if render:
            circular_render(circular.pk)
            circular.refresh_from_db()
        return circular

    return make
