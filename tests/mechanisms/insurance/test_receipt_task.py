"""An approved filing's receipt is rendered by a Celery task queued after the approval commits,
and the hospital is told it is ready; a render that fails is retried, then left for the first
download, which renders it as before."""

import hashlib

import pytest

from config.celery import app as celery_app
from coordination import documents, events
from coordination.mechanisms.insurance import tasks
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.mechanisms.insurance.services import RECEIPT_READY
from coordination.models import OutboxEvent
from coordination.workflow.engine import transition_fire
from coordination.workflow.outbox import outbox_deliver
from notices.models import Notice, NoticeKind
from tests.mechanisms.insurance.conftest import approval

URL = "/api/v1/insurance-filings/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def queued(monkeypatch):
    """Receipt renders handed to Celery are recorded, not sent to a broker."""
    sent = []
    monkeypatch.setattr(tasks.render_insurance_receipt, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    return sent


@pytest.fixture
def eager():
    """Tasks run in the process that queues them, as a worker would run them."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def approve(ins, filing):
    return transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())


def users_told(filing):
    return set(
        Notice.objects.filter(kind=NoticeKind.PDF_READY, object_id=filing.pk).values_list(
            "recipient__username", flat=True
        )
    )


def transitioned(filing):
    return OutboxEvent.objects.filter(kind=events.CASE_TRANSITIONED, object_id=filing.pk).order_by("id")


def test_the_render_is_queued_when_the_approval_is_delivered_after_commit(
    ins, file_filing, queued, django_capture_on_commit_callbacks
):
    filing = approve(ins, file_filing())
    assert queued == []  # not inside the approval's transaction
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(transitioned(filing).get().pk)  # what the worker does after commit
    assert queued == [filing.pk]


def test_other_transitions_queue_no_receipt(ins, file_filing, queued, django_capture_on_commit_callbacks):
    filing = file_filing()
    data = {"reject_reason_code": "not_insured"}
    transition_fire(InsuranceFiling, filing.pk, "reject", by=ins.user("sh-insurance"), data=data)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(transitioned(filing).get().pk)
    assert queued == []


def test_the_task_renders_and_stores_the_receipt_and_tells_the_hospital(ins, file_filing, api_as, queued):
    filing = approve(ins, file_filing())
    tasks.render_insurance_receipt.apply(args=(filing.pk,))
    filing.refresh_from_db()
    assert filing.receipt_pdf and filing.receipt_digest
    with filing.receipt_pdf.open("rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF-") and filing.receipt_sha256 == hashlib.sha256(data).hexdigest()
    event = OutboxEvent.objects.get(kind=RECEIPT_READY)
    assert event.payload["link"] == f"{URL}{filing.pk}/receipt/"
    # The hospital's filer is told, with a link to the download; the centre is not.
    assert users_told(filing) == {"wuxi-hospital"}
    notice = Notice.objects.get(kind=NoticeKind.PDF_READY)
    assert notice.link == f"{URL}{filing.pk}/receipt/" and filing.reference in notice.title_en
    assert filing.id_number not in notice.title_zh + notice.title_en + notice.body_zh + notice.body_en
    # The download serves the stored file: nothing is rendered again, nobody is told twice.
    response = api_as(ins.user("wuxi-hospital")).get(f"{URL}{filing.pk}/receipt/")
    assert response.status_code == 200 and response.content == data
    tasks.render_insurance_receipt.apply(args=(filing.pk,))
    assert OutboxEvent.objects.filter(kind=RECEIPT_READY).count() == 1


def test_after_approval_a_worker_renders_the_receipt_with_no_request(
    ins, file_filing, eager, django_capture_on_commit_callbacks
):
    filing = file_filing()
    with django_capture_on_commit_callbacks(execute=True):
        approve(ins, filing)
    filing.refresh_from_db()
    assert filing.receipt_pdf and filing.receipt_sha256
    assert users_told(filing) == {"wuxi-hospital"}
    assert OutboxEvent.objects.get(kind=RECEIPT_READY).delivered_at is not None


def test_a_receipt_of_a_filing_that_is_not_approved_is_not_rendered(ins, file_filing):
    filing = file_filing()
    tasks.render_insurance_receipt.apply(args=(filing.pk,))
    filing.refresh_from_db()
    assert not filing.receipt_pdf and not OutboxEvent.objects.filter(kind=RECEIPT_READY).exists()


def test_a_failing_render_is_retried_then_left_for_the_first_download(ins, file_filing, api_as, monkeypatch, settings):
    filing = approve(ins, file_filing())
    calls = []

    def explode(filing_id):
        calls.append(filing_id)
        raise OSError("disk full")

    monkeypatch.setattr(tasks, "insurance_receipt_render_queued", explode)
    tasks.render_insurance_receipt.apply(args=(filing.pk,))
    assert len(calls) == settings.CIRCULAR_RENDER_MAX_ATTEMPTS
    filing.refresh_from_db()
    assert not filing.receipt_pdf
    # The fallback: the first download renders it; the one downloading is not told of it.
    response = api_as(ins.user("wuxi-hospital")).get(f"{URL}{filing.pk}/receipt/")
    assert response.status_code == 200
    filing.refresh_from_db()
    assert filing.receipt_pdf
    assert users_told(filing) == set()  # wuxi-hospital is the only filer of that hospital


def test_a_time_limit_bounds_every_receipt_render():
    task = tasks.render_insurance_receipt
    assert 0 < task.soft_time_limit < task.time_limit and task.acks_late


def test_a_broker_outage_leaves_the_receipt_to_its_first_download(ins, file_filing, monkeypatch, caplog):
    from coordination.mechanisms.insurance.services import insurance_receipt_enqueue

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.render_insurance_receipt, "apply_async", broker_down)
    insurance_receipt_enqueue(1)  # logs, does not raise
    assert "left for its first download" in caplog.text


def test_without_a_registered_renderer_coordination_says_what_is_missing(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(documents, "_renderer", {})
    with pytest.raises(ImproperlyConfigured, match="notices"):
        documents.renderer()


def test_notices_registers_the_official_document_renderer():
    from notices.circulars.rendering import get_renderer

    assert documents.renderer() is get_renderer()
    assert documents.qr_svg("https://example.invalid/v/1").startswith("<svg")
