"""The assignment-sheet API: creating, reading and moving a sheet through its workflow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.mechanisms.assignment_sheets.models import AssignmentSheet

URL = "/api/v1/assignment-sheets/"


def new_sheet_body(**extra):
    return {
        "title": "请协助核查返沪货车司机健康状况",
        "matter": "司机3名，请核查行程。",
        "addressee": "sh-liaison",
        **extra,
    }


def fire(client, sheet_id, name, **body):
    return client.post(f"{URL}{sheet_id}/transitions/{name}/", body, format="json")


def test_a_liaison_officer_creates_a_sheet_with_a_reference_number(api_as, demo):
    response = api_as(demo.user("js-liaison")).post(URL, new_sheet_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["reference"] == f"JS-ASG-{year}-000001"
    assert body["state"] == "submitted" and body["version"] == 1
    assert body["mechanism"] == "M3"
    assert response["ETag"] == '"1"'
    assert [(p["organisation"]["code"], p["role"]) for p in body["participants"]] == [
        ("js-liaison", "originator"),
        ("sh-liaison", "responder"),
    ]
    assert [(a["transition"], a["to_state"]) for a in body["audit"]] == [("create", "submitted")]
    assert body["allowed_transitions"] == ["withdraw"]
    due = timezone.datetime.fromisoformat(body["due_at"])
    assert timedelta(minutes=119) < due - timezone.now() <= timedelta(hours=2)


def test_references_are_gap_free_per_region_and_kind(api_as, demo):
    js, sh = api_as(demo.user("js-liaison")), api_as(demo.user("sh-liaison"))
    year = timezone.localdate().year
    refs = [js.post(URL, new_sheet_body(), format="json").json()["reference"] for _ in range(2)]
    js.post(URL, new_sheet_body(title=""), format="json")  # refused: consumes no number
    refs.append(js.post(URL, new_sheet_body(), format="json").json()["reference"])
    refs.append(sh.post(URL, new_sheet_body(addressee="js-liaison"), format="json").json()["reference"])
    assert refs == [f"JS-ASG-{year}-000001", f"JS-ASG-{year}-000002", f"JS-ASG-{year}-000003", f"SH-ASG-{year}-000001"]


def test_the_office_assigns_with_its_own_reference_prefix(api_as, demo):
    response = api_as(demo.user("yrd-office")).post(URL, new_sheet_body(), format="json")
    assert response.status_code == 201
    assert response.json()["reference"].startswith("YRD-ASG-")


@pytest.mark.parametrize("username", ["wuxi-hospital", "sh-insurance", "sh-leader", "js-transport"])
def test_only_liaison_officers_and_the_office_may_assign(api_as, demo, username):
    response = api_as(demo.user(username)).post(URL, new_sheet_body(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert AssignmentSheet.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"matter": None}, "matter"),
        ({"addressee": "js-liaison"}, "addressee"),
        ({"addressee": "no-such-office"}, "addressee"),
        ({"addressee": "wuxi-peoples-hospital"}, "addressee"),
        ({"reply_due": "2020-01-01T00:00:00+08:00"}, "reply_due"),
        ({"reply_due": "next tuesday"}, "reply_due"),
        ({"time_limit_minutes": 1}, "time_limit_minutes"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(api_as, demo, body, field):
    response = api_as(demo.user("js-liaison")).post(URL, new_sheet_body(**body), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]
    assert AssignmentSheet.objects.count() == 0


def test_a_sheet_goes_from_assignment_to_closing(api_as, demo, make_sheet):
    sheet = make_sheet()
    js, sh = api_as(demo.user("js-liaison")), api_as(demo.user("sh-liaison"))
    assert fire(sh, sheet.pk, "accept").json()["state"] == "accepted"
    replied = fire(sh, sheet.pk, "reply", payload={"result": "3名司机健康码均为绿码，已放行。"}).json()
    assert replied["state"] == "replied" and replied["result"] == "3名司机健康码均为绿码，已放行。"
    assert replied["due_at"] is None
    closed = fire(js, sheet.pk, "close", comment="感谢协助").json()
    assert closed["state"] == "closed" and closed["version"] == 4
    assert [a["transition"] for a in closed["audit"]] == ["create", "accept", "reply", "close"]
    assert closed["audit"][-1]["comment"] == "感谢协助"
    assert closed["allowed_transitions"] == []


def test_a_returned_sheet_is_corrected_and_resubmitted(api_as, demo, make_sheet):
    sheet = make_sheet()
    js, sh = api_as(demo.user("js-liaison")), api_as(demo.user("sh-liaison"))
    returned = fire(sh, sheet.pk, "return_for_correction", payload={"reason": "请补充车牌号"}).json()
    assert returned["state"] == "returned" and returned["return_reason"] == "请补充车牌号"
    resubmitted = fire(js, sheet.pk, "resubmit", payload={"matter": "车牌号苏E12345等3辆。"}).json()
    assert resubmitted["state"] == "submitted"
    assert resubmitted["matter"] == "车牌号苏E12345等3辆。"


def test_the_originator_reopens_an_insufficient_reply(api_as, demo, make_sheet):
    sheet = make_sheet()
    js, sh = api_as(demo.user("js-liaison")), api_as(demo.user("sh-liaison"))
    fire(sh, sheet.pk, "reply", payload={"result": "已处理"})
    reopened = fire(js, sheet.pk, "reopen", payload={"reason": "请说明核查结果"}).json()
    assert reopened["state"] == "accepted"


def test_a_transition_not_allowed_in_the_current_state_gets_409(api_as, demo, make_sheet):
    sheet = make_sheet()
    sh = api_as(demo.user("sh-liaison"))
    fire(sh, sheet.pk, "accept")
    response = fire(sh, sheet.pk, "accept")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "transition_not_allowed"
    assert error["details"]["state"] == "accepted"


def test_an_unknown_transition_gets_404(api_as, demo, make_sheet):
    sheet = make_sheet()
    response = fire(api_as(demo.user("sh-liaison")), sheet.pk, "approve_everything")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_transition"


def test_a_stale_if_match_gets_412_and_changes_nothing(api_as, demo, make_sheet):
    sheet = make_sheet()
    sh = api_as(demo.user("sh-liaison"))
    response = sh.post(f"{URL}{sheet.pk}/transitions/accept/", {}, format="json", HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "stale_version"
    assert response.json()["error"]["details"]["current_version"] == 1
    sheet.refresh_from_db()
    assert sheet.state == "submitted"


def test_a_current_version_in_the_body_is_accepted(api_as, demo, make_sheet):
    sheet = make_sheet()
    response = fire(api_as(demo.user("sh-liaison")), sheet.pk, "accept", version=1)
    assert response.status_code == 200
    stale = fire(api_as(demo.user("sh-liaison")), sheet.pk, "reply", version=1, payload={"result": "x"})
    assert stale.status_code == 412


@pytest.mark.parametrize(
    "body",
    [
        {"payload": {}},
        {"payload": {"result": ""}},
        {"payload": ["result"]},
        {"payload": "result"},
        {"version": "latest"},
        {"comment": {"a": 1}},
    ],
)
def test_a_malformed_payload_gets_400(api_as, demo, make_sheet, body):
    sheet = make_sheet()
    response = fire(api_as(demo.user("sh-liaison")), sheet.pk, "reply", **body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    sheet.refresh_from_db()
    assert sheet.state == "submitted" and sheet.version == 1


def test_a_body_that_is_not_an_object_gets_400(api_as, demo, make_sheet):
    sheet = make_sheet()
    response = api_as(demo.user("sh-liaison")).post(f"{URL}{sheet.pk}/transitions/accept/", ["accept"], format="json")
    assert response.status_code == 400


def test_a_malformed_if_match_gets_400(api_as, demo, make_sheet):
    sheet = make_sheet()
    response = api_as(demo.user("sh-liaison")).post(
        f"{URL}{sheet.pk}/transitions/accept/", {}, format="json", HTTP_IF_MATCH="banana"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_if_match"


def test_the_state_field_cannot_be_written_directly(make_sheet):
    sheet = make_sheet()
    with pytest.raises(AttributeError):
        sheet.state = "closed"


def test_the_transition_graph_is_served_as_svg(api_as, demo, make_sheet):
    sheet = make_sheet()
    client = api_as(demo.user("sh-liaison"))
    generic = client.get(f"{URL}graph/")
    assert generic.status_code == 200 and generic["Content-Type"] == "image/svg+xml"
    assert "<svg" in generic.content.decode() and "已提交" in generic.content.decode()
    own = client.get(f"{URL}{sheet.pk}/graph/").content.decode()
    assert "#b3131b" in own  # the current state is highlighted
    assert api_as(demo.user("zj-liaison")).get(f"{URL}{sheet.pk}/graph/").status_code == 404
