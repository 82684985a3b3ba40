"""The notice-with-receipts pattern, through M3 major-measure notices (and M7 emergencies)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from coordination import events
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.models import AuditEntry, OutboxEvent
from coordination.workflow.deadlines import deadlines_check

URL = "/api/v1/measure-notices/"


def notice_body(**extra):
    return {
        "category": "border_control",
        "title": "江苏省关于省际道口联合查验的通告",
        "summary": "自2月10日起，苏沪、苏浙省界道口实行联合查验、结果互认。",
        "body": "为统筹疫情防控和复工复产，……",
        **extra,
    }


def receipts(body):
    return {r["organisation"]["code"]: r["state"] for r in body["receipts"]}


def fire(client, notice_id, name, **body):
    return client.post(f"{URL}{notice_id}/transitions/{name}/", body, format="json")


@pytest.fixture
def issued(api_as, demo):
    response = api_as(demo.user("js-liaison")).post(
        URL, notice_body(affected_regions=["320500", "310000"]), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_issuing_addresses_the_other_regions_and_the_office(issued):
    assert issued["reference"].startswith("JS-MSR-")
    assert issued["state"] == "issued" and issued["mechanism"] == "M3"
    assert receipts(issued) == {
        "sh-liaison": "received",
        "zj-liaison": "received",
        "ah-liaison": "received",
        "yrd-office": "received",
    }
    due = timezone.datetime.fromisoformat(issued["due_at"])
    assert timedelta(minutes=119) < due - timezone.now() <= timedelta(hours=2)


def test_reading_the_notice_marks_the_receipt_read_once(api_as, demo, issued):
    sh = api_as(demo.user("sh-liaison"))
    body = sh.post(f"{URL}{issued['id']}/read/").json()
    assert receipts(body)["sh-liaison"] == "read"
    assert body["version"] == issued["version"]
    sh.post(f"{URL}{issued['id']}/read/")
    assert AuditEntry.objects.filter(object_id=issued["id"], transition="read").count() == 1
    assert OutboxEvent.objects.filter(kind=events.RECEIPT_READ).count() == 1
    # The issuer reading its own notice reads nobody's receipt.
    api_as(demo.user("js-liaison")).post(f"{URL}{issued['id']}/read/")
    assert AuditEntry.objects.filter(object_id=issued["id"], transition="read").count() == 1


def test_an_integrating_systems_get_does_not_read_the_notice(api_as, demo, issued):
    body = api_as(demo.user("sh-liaison")).get(f"{URL}{issued['id']}/").json()
    assert receipts(body)["sh-liaison"] == "received"
    assert not AuditEntry.objects.filter(object_id=issued["id"], transition="read").exists()
    assert not OutboxEvent.objects.filter(kind=events.RECEIPT_READ).exists()


def test_a_person_opening_the_notice_page_reads_it(client, demo, issued):
    client.force_login(demo.user("sh-liaison"))
    page = client.get(f"/cases/measure-notices/{issued['id']}/")
    assert page.status_code == 200
    assert AuditEntry.objects.filter(object_id=issued["id"], transition="read").count() == 1


def test_each_addressee_acknowledges_and_the_notice_closes_when_all_have(api_as, demo, issued):
    for username in ["sh-liaison", "zj-liaison", "ah-liaison"]:
        body = fire(api_as(demo.user(username)), issued["id"], "acknowledge").json()
        assert body["state"] == "issued"
        assert receipts(body)[username] == "acknowledged"
    again = fire(api_as(demo.user("sh-liaison")), issued["id"], "acknowledge")
    assert again.status_code == 409
    last = fire(api_as(demo.user("yrd-office")), issued["id"], "acknowledge").json()
    assert last["state"] == "closed" and last["closed_at"] is not None


def test_an_objection_is_answered_then_acknowledged(api_as, demo, issued):
    zj, js = api_as(demo.user("zj-liaison")), api_as(demo.user("js-liaison"))
    objected = fire(zj, issued["id"], "raise_objection", payload={"reason": "与我省货运车辆通行政策冲突"}).json()
    assert receipts(objected)["zj-liaison"] == "objected"
    assert "answer_objection" in js.get(f"{URL}{issued['id']}/").json()["allowed_transitions"]
    bad = fire(js, issued["id"], "answer_objection", payload={"organisation": "sh-liaison", "answer": "x"})
    assert bad.status_code == 400
    answered = fire(
        js,
        issued["id"],
        "answer_objection",
        payload={"organisation": "zj-liaison", "answer": "货运车辆持通行证优先通行"},
    ).json()
    assert receipts(answered)["zj-liaison"] == "read"
    assert answered["audit"][-1]["payload"]["objection"] == "与我省货运车辆通行政策冲突"
    assert fire(zj, issued["id"], "acknowledge").status_code == 200


def test_amending_makes_a_new_edition_with_a_diff_and_resets_receipts(api_as, demo, issued):
    fire(api_as(demo.user("sh-liaison")), issued["id"], "acknowledge")
    js = api_as(demo.user("js-liaison"))
    amended = fire(js, issued["id"], "amend", payload={"summary": "自2月12日起实行联合查验。"}).json()
    assert amended["edition"] == 2
    assert set(receipts(amended).values()) == {"received"}
    changes = amended["audit"][-1]["payload"]["changes"]
    assert changes == {"summary": {"from": issued["summary"], "to": "自2月12日起实行联合查验。"}}
    assert fire(js, issued["id"], "amend", payload={}).status_code == 400
    assert fire(js, issued["id"], "amend", payload={"effective_until": "2000-01-01"}).status_code == 400


def test_only_addressees_acknowledge_and_only_the_issuer_amends(api_as, demo, issued):
    assert fire(api_as(demo.user("js-liaison")), issued["id"], "acknowledge").status_code == 403
    assert fire(api_as(demo.user("sh-liaison")), issued["id"], "amend", payload={"title": "x"}).status_code == 403
    assert api_as(demo.user("wuxi-hospital")).get(f"{URL}{issued['id']}/").status_code == 404
    assert api_as(demo.user("sh-leader")).get(f"{URL}{issued['id']}/").status_code == 200


def test_an_emergency_must_be_acknowledged_within_30_minutes(api_as, demo):
    response = api_as(demo.user("sh-liaison")).post(
        URL,
        notice_body(mechanism="M7", category="public_health_incident", title="浦东机场入境航班聚集性疫情"),
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("SH-EMG-")
    due = timezone.datetime.fromisoformat(body["due_at"])
    assert timedelta(minutes=29) < due - timezone.now() <= timedelta(minutes=30)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"mechanism": "M7", "category": "schools"}, "category"),
        ({"category": "sightseeing"}, "category"),
        ({"mechanism": "M1"}, "mechanism"),
        ({"effective_from": "2020-02-10", "effective_until": "2020-02-01"}, "effective_until"),
        ({"addressees": ["js-liaison"]}, "addressees"),
        ({"addressees": ["wuxi-peoples-hospital"]}, "addressees"),
        ({"affected_regions": ["999999"]}, "affected_regions"),
        ({"summary": ""}, "summary"),
    ],
)
def test_bad_notices_are_refused_naming_the_field(api_as, demo, extra, field):
    response = api_as(demo.user("js-liaison")).post(URL, notice_body(**extra), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert MeasureNotice.objects.count() == 0


def test_selected_addressees_replace_the_default(api_as, demo):
    body = api_as(demo.user("js-liaison")).post(URL, notice_body(addressees=["sh-liaison"]), format="json").json()
    assert receipts(body) == {"sh-liaison": "received"}


def test_reminders_go_only_to_addressees_that_have_not_acknowledged(api_as, demo, issued):
    for username in ["sh-liaison", "zj-liaison", "yrd-office"]:
        fire(api_as(demo.user(username)), issued["id"], "acknowledge")
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1), tick=False):
        assert deadlines_check()["reminded"] == 1
    reminder = OutboxEvent.objects.get(kind=events.DEADLINE_REMINDER)
    assert reminder.payload["organisations"] == [demo.org("ah-liaison").pk]


def test_another_member_of_the_same_office_acknowledges_for_the_office(api_as, demo, issued):
    from coordination.models import Membership

    deputy = type(demo.user("sh-liaison")).objects.create_user("sh-deputy")
    Membership.objects.create(user=deputy, organisation=demo.org("sh-liaison"), role="liaison_officer")
    body = fire(api_as(deputy), issued["id"], "acknowledge").json()
    assert receipts(body)["sh-liaison"] == "acknowledged"
    assert fire(api_as(demo.user("sh-liaison")), issued["id"], "acknowledge").status_code == 409


def test_an_addressees_answer_notifies_the_issuer_not_the_other_addressees(api_as, demo, issued):
    from notices.models import Notice

    fire(api_as(demo.user("sh-liaison")), issued["id"], "acknowledge")
    answered = Notice.objects.filter(kind="case_transitioned")
    # The issuing office: its liaison officer and its head.
    assert set(answered.values_list("recipient__username", flat=True)) == {"js-liaison", "js-head"}
    api_as(demo.user("zj-liaison")).post(f"{URL}{issued['id']}/read/")
    read = Notice.objects.filter(kind="receipt_read")
    assert set(read.values_list("recipient__username", flat=True)) == {"js-liaison", "js-head"}


def test_issuing_a_notice_issues_its_circular_with_the_addressees(demo, issued):
    from notices.circulars.services import circular_sign_off
    from notices.models.circulars import Circular

    circular = Circular.objects.get(object_id=issued["id"])
    # The officer's notice goes out at once; its circular waits for the office head's sign-off.
    assert circular.status == Circular.Status.AWAITING_SIGN_OFF and circular.document_number is None
    circular = circular_sign_off(by=demo.user("js-head"), circular_id=circular.pk)
    assert circular.status == Circular.Status.RENDERING
    assert circular.document_number and circular.document_number.endswith(f"〔{circular.year}〕1号")
    assert circular.title == issued["title"]
    assert set(circular.addressees.values_list("code", flat=True)) == {
        "sh-liaison",
        "zj-liaison",
        "ah-liaison",
        "yrd-office",
    }
    assert "长三角区域合作办公室" in circular.copy_to and "长三角区域合作办公室" not in circular.addressee_line


def test_an_empty_addressee_list_is_refused(api_as, demo):
    response = api_as(demo.user("js-liaison")).post(URL, notice_body(addressees=[]), format="json")
    assert response.status_code == 400 and "addressees" in response.json()["error"]["details"]


def test_objecting_without_a_reason_and_amending_a_closed_notice_are_refused(api_as, demo, issued):
    assert fire(api_as(demo.user("zj-liaison")), issued["id"], "raise_objection", payload={}).status_code == 400
    fire(api_as(demo.user("js-liaison")), issued["id"], "withdraw", payload={"reason": "已解除"})
    response = fire(api_as(demo.user("js-liaison")), issued["id"], "amend", payload={"title": "新标题"})
    assert response.status_code == 409


def test_an_expired_notice_closes_by_itself(api_as, demo):
    from coordination.workflow.deadlines import notices_expire

    body = (
        api_as(demo.user("js-liaison"))
        .post(URL, notice_body(effective_from="2020-02-10", effective_until="2020-03-10"), format="json")
        .json()
    )
    assert notices_expire() == 1
    notice = MeasureNotice.objects.get(pk=body["id"])
    assert notice.state == "closed"
    assert notice.audit_entries.order_by("-seq").first().transition == "expire"
    assert notices_expire() == 0


def test_what_applies_in_a_city_on_a_date(api_as, demo):
    js = api_as(demo.user("js-liaison"))
    suzhou = js.post(
        URL, notice_body(title="苏州道口", effective_from="2020-02-10", affected_regions=["320500"]), format="json"
    ).json()
    js.post(URL, notice_body(title="无锡道口", effective_from="2020-02-10", affected_regions=["320200"]), format="json")
    js.post(URL, notice_body(title="全省", effective_from="2020-02-10", effective_until="2020-02-15"), format="json")
    sh = (
        api_as(demo.user("sh-liaison"))
        .post(URL, notice_body(title="上海隔离", effective_from="2020-02-01"), format="json")
        .json()
    )
    on = lambda date, region: {  # noqa: E731
        n["title"] for n in js.get(URL, {"in_force_on": date, "region": region}).json()["results"]
    }
    assert on("2020-02-12", "320500") == {"苏州道口", "全省"}
    assert on("2020-02-20", "320500") == {"苏州道口"}
    assert on("2020-02-05", "320500") == set()
    assert on("2020-02-20", "310000") == {"上海隔离"}
    assert suzhou["id"] and sh["id"]
    assert js.get(URL, {"in_force_on": "yesterday"}).status_code == 400


def test_a_new_notice_supersedes_an_issued_one_of_the_same_issuer(api_as, demo, issued):
    js = api_as(demo.user("js-liaison"))
    newer = js.post(URL, notice_body(title="联合查验（修订）", supersedes=issued["id"]), format="json")
    assert newer.status_code == 201, newer.json()
    old = js.get(f"{URL}{issued['id']}/").json()
    assert old["state"] == "superseded" and old["audit"][-1]["payload"] == {"superseded_by": newer.json()["reference"]}
    again = js.post(URL, notice_body(supersedes=issued["id"]), format="json")
    assert again.status_code == 400 and "supersedes" in again.json()["error"]["details"]
    on = {n["title"] for n in js.get(URL, {"in_force_on": timezone.localdate().isoformat()}).json()["results"]}
    assert "联合查验（修订）" in on and issued["title"] not in on


def test_another_regions_notice_cannot_be_superseded(api_as, demo, issued):
    response = api_as(demo.user("sh-liaison")).post(URL, notice_body(supersedes=issued["id"]), format="json")
    assert response.status_code == 400 and "supersedes" in response.json()["error"]["details"]
    assert MeasureNotice.objects.get(pk=issued["id"]).state == "issued"


def test_an_unacknowledged_notice_is_escalated_to_the_leading_group_and_the_office(api_as, demo, issued):
    for username in ["sh-liaison", "zj-liaison", "yrd-office"]:
        fire(api_as(demo.user(username)), issued["id"], "acknowledge")
    with time_machine.travel(timezone.now() + timedelta(hours=3, minutes=5), tick=False):
        assert deadlines_check() == {"reminded": 1, "escalated": 1}
    escalation = OutboxEvent.objects.get(kind=events.DEADLINE_ESCALATED)
    assert escalation.payload["responsible"] == [demo.org("ah-liaison").pk]
    assert demo.org("ah-leading-group").pk in escalation.payload["organisations"]


def test_an_amendment_tells_every_addressee(api_as, demo, issued):
    from notices.models import Notice

    fire(api_as(demo.user("js-liaison")), issued["id"], "amend", payload={"summary": "修订后的摘要"})
    told = set(Notice.objects.filter(kind="case_transitioned").values_list("recipient__username", flat=True))
    assert {"sh-liaison", "zj-liaison", "ah-liaison", "yrd-office"} <= told


def test_addressees_find_the_circular_on_the_notice_and_outsiders_see_nothing(api_as, client, demo, issued):
    from notices.circulars.services import circular_sign_off
    from notices.models.circulars import Circular

    circular_sign_off(by=demo.user("js-head"), circular_id=Circular.objects.get(object_id=issued["id"]).pk)
    circulars = (
        api_as(demo.user("sh-liaison"))
        .get("/api/v1/circulars/", {"case_model": "measure_notices.measurenotice", "case_id": issued["id"]})
        .json()
    )
    assert circulars["count"] == 1 and circulars["results"][0]["title"] == issued["title"]
    client.force_login(demo.user("sh-liaison"))
    page = client.get(f"/cases/measure-notices/{issued['id']}/").content.decode()
    assert "苏联防〔" in page
    only_sh = api_as(demo.user("js-liaison")).post(URL, notice_body(addressees=["sh-liaison"]), format="json").json()
    assert api_as(demo.user("zj-liaison")).get(f"{URL}{only_sh['id']}/").status_code == 404
