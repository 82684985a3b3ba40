"""Issuing a circular: a gap-free number, a render queued after commit, the PDF stored with
its SHA-256 and an outbox event; failures are retried, then marked failed with the reason,
and a render lost to a broker outage is queued again — never left "rendering" for ever."""

import hashlib
from datetime import date, timedelta

import pytest
from django.utils import timezone

from coordination import events
from coordination.models import OutboxEvent
from notices.circulars import services, tasks
from notices.circulars.numbering import default_issuer_code
from notices.circulars.services import circular_draft_create, circular_issue, circular_render, circular_retry
from notices.models import Circular, CircularNumberSequence
from notices.models.circulars import DOCUMENT_NUMBER_RE


def test_an_issued_circular_is_rendering_with_a_number_until_its_pdf_is_stored(issue, queued_renders, demo):
    circular = issue(render=False, signed_on=date(2026, 3, 10))
    assert circular.status == Circular.Status.RENDERING
    assert circular.document_number == "沪苏浙皖联防〔2026〕1号"
    assert DOCUMENT_NUMBER_RE.match(circular.document_number)
    assert not circular.pdf


def test_the_render_is_queued_after_commit(issue, queued_renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        circular = issue(render=False)
    assert queued_renders == [circular.pk]


def test_a_rendered_circular_is_issued_with_the_sha256_of_its_file_and_an_outbox_event(issue):
    circular = issue(signed_on=date(2026, 3, 10))
    assert circular.status == Circular.Status.ISSUED, circular.failure_reason
    with circular.pdf.open("rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF")
    assert circular.sha256 == hashlib.sha256(data).hexdigest()
    assert circular.pdf_size == len(data) and circular.page_count >= 1
    assert len(circular.content_sha256) == 64 and circular.content_sha256 != circular.sha256
    event = OutboxEvent.objects.get(kind=events.CIRCULAR_ISSUED)
    assert event.payload["document_number"] == circular.document_number
    assert event.payload["pdf"] == f"/circulars/{circular.pk}/pdf/"
    assert sorted(event.payload["addressees"]) == sorted(circular.addressees.values_list("pk", flat=True))
    assert circular_render(circular.pk) is None  # rendering again does nothing


def test_numbers_are_consecutive_per_issuer_and_year_and_start_again_each_year(issue, demo):
    first = issue(render=False, signed_on=date(2026, 3, 10))
    second = issue(render=False, signed_on=date(2026, 3, 11))
    other_issuer = issue(by="js-liaison", to=("sh-liaison",), render=False, signed_on=date(2026, 3, 11))
    next_year = issue(render=False, signed_on=date(2027, 1, 4))
    assert [first.sequence, second.sequence] == [1, 2]
    assert second.document_number == "沪苏浙皖联防〔2026〕2号"
    assert other_issuer.document_number == "苏联防〔2026〕1号"
    assert next_year.document_number == "沪苏浙皖联防〔2027〕1号"


def test_two_circulars_issued_one_after_the_other_get_consecutive_distinct_numbers(issue):
    numbers = [issue(render=False).document_number for _ in range(2)]
    assert len(set(numbers)) == 2
    assert [int(n.split("〕")[1][:-1]) for n in numbers] == [1, 2]


def test_a_rolled_back_issue_gives_its_number_back(issue, demo, monkeypatch):
    issue(render=False, signed_on=date(2026, 3, 10))
    monkeypatch.setattr(services.CircularDocument, "content_digest", lambda self: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        issue(render=False, signed_on=date(2026, 3, 10))
    monkeypatch.undo()
    assert issue(render=False, signed_on=date(2026, 3, 10)).sequence == 2
    assert CircularNumberSequence.objects.get(year=2026).last == 2


def test_issuer_codes_default_to_the_regions_abbreviation(demo):
    assert default_issuer_code(demo.org("js-liaison")) == "苏联防"
    assert default_issuer_code(demo.org("ah-leading-group")) == "皖防控"
    assert default_issuer_code(demo.org("yrd-office")) == "沪苏浙皖联防"


def test_a_draft_has_no_number_until_it_is_issued(demo):
    draft = circular_draft_create(
        by=demo.user("yrd-office"),
        title="关于做好复工复产的通知",
        body="请遵照执行。",
        addressees=[demo.org("sh-liaison")],
    )
    assert draft.status == Circular.Status.DRAFT and draft.document_number is None
    issued = circular_issue(by=demo.user("yrd-leader"), draft=draft)  # the Office's leader signs off
    assert issued.status == Circular.Status.RENDERING and issued.sequence == 1


def test_a_hospital_filer_may_not_issue(demo):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        circular_issue(by=demo.user("wuxi-hospital"), title="通知", body="正文。", addressees=[demo.org("sh-liaison")])


def test_a_failing_render_is_retried_then_marked_failed_with_the_reason(issue, monkeypatch, settings):
    circular = issue(render=False)
    calls = []

    def explode(circular_id):
        calls.append(circular_id)
        Circular.objects.filter(pk=circular_id).update(render_attempts=len(calls))
        raise OSError("disk full")

    monkeypatch.setattr(tasks, "circular_render", explode)
    tasks.render_circular.apply(args=(circular.pk,))
    circular.refresh_from_db()
    assert len(calls) == settings.CIRCULAR_RENDER_MAX_ATTEMPTS
    assert circular.status == Circular.Status.FAILED
    assert "disk full" in circular.failure_reason


def test_a_time_limit_bounds_every_render():
    task = tasks.render_circular
    assert 0 < task.soft_time_limit < task.time_limit


def test_an_impossible_layout_is_marked_failed_and_may_be_retried(issue, demo, queued_renders, monkeypatch):
    from notices.circulars import rendering

    circular = issue(render=False)
    monkeypatch.setattr(rendering, "layout_problem", lambda pages: "page 1 carries no body text")
    assert circular_render(circular.pk) is None
    circular.refresh_from_db()
    assert circular.status == Circular.Status.FAILED and "page 1" in circular.failure_reason
    monkeypatch.undo()
    retried = circular_retry(by=demo.user("yrd-office"), circular_id=circular.pk)
    assert retried.status == Circular.Status.RENDERING and retried.document_number == circular.document_number
    assert circular_render(circular.pk).status == Circular.Status.ISSUED


def test_a_broker_outage_leaves_the_render_for_the_periodic_requeue(
    issue, monkeypatch, django_capture_on_commit_callbacks, settings
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.render_circular, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        circular = issue(render=False)
    circular.refresh_from_db()
    assert circular.status == Circular.Status.RENDERING

    requeued = []
    monkeypatch.setattr(tasks.render_circular, "apply_async", lambda args, **kwargs: requeued.append(args[0]))
    assert services.circulars_requeue_stuck() == {"requeued": 0, "failed": 0}  # not stuck yet
    later = timezone.now() + timedelta(seconds=settings.CIRCULAR_RENDER_STUCK_SECONDS + 1)
    assert services.circulars_requeue_stuck(now=later) == {"requeued": 1, "failed": 0}
    assert requeued == [circular.pk]


def test_a_render_that_spent_its_attempts_is_marked_failed_by_the_requeue(issue, settings):
    circular = issue(render=False)
    Circular.objects.filter(pk=circular.pk).update(render_attempts=settings.CIRCULAR_RENDER_MAX_ATTEMPTS)
    later = timezone.now() + timedelta(seconds=settings.CIRCULAR_RENDER_STUCK_SECONDS + 1)
    assert services.circulars_requeue_stuck(now=later) == {"requeued": 0, "failed": 1}
    circular.refresh_from_db()
    assert circular.status == Circular.Status.FAILED and "did not complete" in circular.failure_reason


def test_the_beat_schedule_requeues_renders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-circular-renders"]
    assert entry["task"] == tasks.requeue_circular_renders.name
