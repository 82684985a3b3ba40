"""Drafting and sign-off (签发): a circular is numbered and issued only when the office head
of its issuing organisation signs it off; emergencies may go first and be signed off
afterwards (补签) within a deadline that escalates; nobody outside the issuing organisation
sees a circular before it is numbered; an amended measure issues a new circular naming the
one it replaces. Each step is audited."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from coordination.models import AuditEntry
from notices.circulars.services import (
    circular_draft_create,
    circular_issue,
    circular_render,
    circular_return,
    circular_sign_off,
    circular_submit,
    circulars_sign_off_overdue,
)
from notices.models import Circular, Notice

ADDRESSEES = ("sh-liaison", "zj-liaison")
DEMO_USERS = [
    "sh-liaison",
    "js-liaison",
    "zj-liaison",
    "ah-liaison",
    "yrd-office",
    "wuxi-hospital",
    "sh-insurance",
    "js-insurance",
    "js-transport",
    "sh-leader",
    "yrd-leader",
    "sh-head",
    "zj-head",
]


def draft_of(demo, by="js-liaison", **fields):
    fields.setdefault("title", "关于做好省际道口联合查验工作的通知")
    fields.setdefault("body", "一、联合设卡。\n二、结果互认。")
    return circular_draft_create(by=demo.user(by), addressees=[demo.org(code) for code in ADDRESSEES], **fields)


def steps(circular) -> list[str]:
    return list(
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Circular), object_id=circular.pk)
        .order_by("seq")
        .values_list("transition", flat=True)
    )


def test_an_officers_circular_waits_for_sign_off_without_a_number(demo):
    circular = circular_issue(
        by=demo.user("js-liaison"), title="通知", body="正文。", addressees=[demo.org("sh-liaison")]
    )
    assert circular.status == Circular.Status.AWAITING_SIGN_OFF
    assert circular.document_number is None and circular.verification_code is None
    # Jiangsu's office head is told; the drafter is not told of their own step.
    told = set(Notice.objects.filter(kind="sign_off").values_list("recipient__username", flat=True))
    assert told == {"js-head"}


def test_the_office_head_signs_off_and_so_issues_it_numbered_and_audited(
    demo, queued_renders, django_capture_on_commit_callbacks
):
    circular = draft_of(demo)
    circular_submit(by=demo.user("js-liaison"), circular_id=circular.pk)
    with django_capture_on_commit_callbacks(execute=True):
        issued = circular_sign_off(by=demo.user("js-head"), circular_id=circular.pk, comment="同意印发。")
    assert issued.status == Circular.Status.RENDERING
    assert issued.document_number == f"苏联防〔{issued.signed_on.year}〕1号"
    assert issued.signed_off_by.username == "js-head" and issued.sign_off_comment == "同意印发。"
    assert len(issued.verification_code) == 12
    assert queued_renders == [circular.pk]
    assert steps(circular) == ["draft", "submit", "sign_off", "issue"]


@pytest.mark.parametrize("username", ["js-liaison", "yrd-leader", "sh-head"])
def test_only_a_signer_of_the_issuing_organisation_signs_off(demo, username):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    circular = draft_of(demo)
    circular_submit(by=demo.user("js-liaison"), circular_id=circular.pk)
    # The drafter is refused (403); other organisations' signers cannot even see it (404).
    expected = PermissionDenied if username == "js-liaison" else Http404
    with pytest.raises(expected):
        circular_sign_off(by=demo.user(username), circular_id=circular.pk)
    circular.refresh_from_db()
    assert circular.status == Circular.Status.AWAITING_SIGN_OFF and circular.document_number is None


def test_an_officer_cannot_issue_a_draft_without_sign_off(demo, api_as):
    circular = draft_of(demo)
    response = api_as(demo.user("js-liaison")).post(f"/api/v1/circulars/{circular.pk}/issue/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sign_off_required"


def test_a_returned_draft_goes_back_to_its_drafter_with_the_comment(demo):
    circular = draft_of(demo)
    circular_submit(by=demo.user("js-liaison"), circular_id=circular.pk)
    returned = circular_return(by=demo.user("js-head"), circular_id=circular.pk, comment="请补充查验标准。")
    assert returned.status == Circular.Status.DRAFT and returned.sign_off_comment == "请补充查验标准。"
    assert Notice.objects.filter(recipient__username="js-liaison", kind="sign_off").exists()
    assert steps(circular) == ["draft", "submit", "return"]


def test_nobody_outside_the_issuing_organisation_sees_a_draft(demo, api_as, issue):
    circular = draft_of(demo)
    circular_submit(by=demo.user("js-liaison"), circular_id=circular.pk)
    for username in DEMO_USERS:
        client = api_as(demo.user(username))
        inside = username in ("js-liaison",)
        detail = client.get(f"/api/v1/circulars/{circular.pk}/")
        listed = [row["id"] for row in client.get("/api/v1/circulars/").json()["results"]]
        preview = client.get(f"/api/v1/circulars/{circular.pk}/preview/")
        assert (detail.status_code == 200) == inside, username
        assert (circular.pk in listed) == inside, username
        if not inside:
            assert detail.status_code == 404 and preview.status_code == 404, username
            assert "body" not in detail.json()


def test_the_api_flow_draft_submit_sign_off(demo, api_as):
    officer, head = api_as(demo.user("js-liaison")), api_as(demo.user("js-head"))
    created = officer.post(
        "/api/v1/circulars/",
        {"title": "关于互认健康码的通知", "body": "一、互认。", "addressees": ["sh-liaison"], "draft": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft" and "submit" in created.json()["actions"]
    changed = officer.patch(f"/api/v1/circulars/{pk}/", {"title": "关于长三角地区健康码互认通用的通知"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "关于长三角地区健康码互认通用的通知"
    assert officer.patch(f"/api/v1/circulars/{pk}/", {"status": "issued"}, format="json").status_code == 400
    for bad in ({"signed_on": None}, {"title": ""}, {"title": "x" * 121}, {"case_id": 1}, {}, {"body": "\x00"}):
        response = officer.patch(f"/api/v1/circulars/{pk}/", bad, format="json")
        assert response.status_code == 400, (bad, response.content)
        assert response.json()["error"]["code"] == "invalid"
    assert officer.post(f"/api/v1/circulars/{pk}/submit/").json()["status"] == "awaiting_sign_off"
    assert officer.post(f"/api/v1/circulars/{pk}/sign-off/").status_code == 403
    signed = head.post(f"/api/v1/circulars/{pk}/sign-off/", {"comment": "同意。"}, format="json")
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "rendering" and signed.json()["document_number"].startswith("苏联防〔")
    again = head.post(f"/api/v1/circulars/{pk}/sign-off/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_signed_off"
    assert officer.patch(f"/api/v1/circulars/{pk}/", {"title": "改"}, format="json").status_code == 409


def test_an_emergency_goes_out_at_once_and_a_late_sign_off_escalates_once(demo, queued_renders):
    from coordination.mechanisms.measure_notices.services import measure_notice_issue

    notice = measure_notice_issue(
        by=demo.user("ah-liaison"),
        mechanism="M7",
        category="public_health_incident",
        title="铜陵市农贸市场人员聚集预警处置情况通报",
        summary="预警处置。",
        body="市场管理方30分钟内完成处置。",
        effective_from=timezone.localdate(),
    )
    circular = Circular.objects.get(object_id=notice.pk, content_type=ContentType.objects.get_for_model(notice))
    assert circular.status == Circular.Status.RENDERING and circular.document_number
    assert circular.signed_off_at is None
    assert timedelta(hours=1, minutes=59) < circular.sign_off_due - timezone.now() <= timedelta(hours=2)
    assert circulars_sign_off_overdue() == 0
    later = circular.sign_off_due + timedelta(minutes=1)
    assert circulars_sign_off_overdue(now=later) == 1
    assert circulars_sign_off_overdue(now=later) == 0  # once
    escalated = set(
        Notice.objects.filter(kind="deadline_escalated", object_id=circular.pk).values_list(
            "recipient__username", flat=True
        )
    )
    assert "ah-head" in escalated
    signed = circular_sign_off(by=demo.user("ah-head"), circular_id=circular.pk, comment="补签。")
    assert signed.signed_off_at is not None and signed.status == Circular.Status.RENDERING
    assert steps(circular)[-2:] == ["sign_off_overdue", "sign_off_after_issue"]


def test_a_major_measure_waits_for_sign_off_and_its_addressees_see_the_notice_not_the_draft(demo, api_as):
    from coordination.mechanisms.measure_notices.services import measure_notice_issue

    notice = measure_notice_issue(
        by=demo.user("js-liaison"),
        mechanism="M3",
        category="border_control",
        title="江苏省关于省际道口实行联合查验、结果互认的通告",
        summary="联合查验。",
        body="一、联合设卡。",
        effective_from=timezone.localdate(),
    )
    circular = Circular.objects.get(object_id=notice.pk, content_type=ContentType.objects.get_for_model(notice))
    assert circular.status == Circular.Status.AWAITING_SIGN_OFF
    addressee = api_as(demo.user("sh-liaison"))
    assert addressee.get(f"/api/v1/measure-notices/{notice.pk}/").status_code == 200
    assert addressee.get(f"/api/v1/circulars/{circular.pk}/").status_code == 404
    circular_sign_off(by=demo.user("js-head"), circular_id=circular.pk)
    assert addressee.get(f"/api/v1/circulars/{circular.pk}/").status_code == 200


def test_an_amended_measure_issues_a_new_circular_naming_the_one_it_replaces(demo, queued_renders):
    from coordination.mechanisms.measure_notices.models import MeasureNotice
    from coordination.mechanisms.measure_notices.services import measure_notice_issue
    from coordination.workflow.engine import transition_fire

    notice = measure_notice_issue(
        by=demo.user("js-liaison"),
        mechanism="M3",
        category="border_control",
        title="江苏省关于省际道口实行联合查验的通告",
        summary="联合查验。",
        body="一、联合设卡。",
        effective_from=timezone.localdate(),
    )
    first = Circular.objects.get(object_id=notice.pk, content_type=ContentType.objects.get_for_model(notice))
    circular_sign_off(by=demo.user("js-head"), circular_id=first.pk)
    circular_render(first.pk)
    first.refresh_from_db()
    assert first.status == Circular.Status.ISSUED
    transition_fire(
        MeasureNotice, notice.pk, "amend", by=demo.user("js-liaison"), data={"body": "一、联合设卡，结果互认。"}
    )
    second = Circular.objects.exclude(pk=first.pk).get(object_id=notice.pk)
    assert second.supersedes_id == first.pk and second.status == Circular.Status.AWAITING_SIGN_OFF
    second = circular_sign_off(by=demo.user("js-head"), circular_id=second.pk)
    assert second.document_number != first.document_number
    assert second.note == f"此件替代{first.document_number}"
