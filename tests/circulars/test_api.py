"""`/api/v1/circulars/`: each user lists the circulars they may see, with document_number,
status, sha256 and pdf; issuing, drafts and retries; a fixed number of queries per list."""

import pytest

from notices.circulars.services import circular_render
from notices.models import Circular

FIELDS = {"document_number", "status", "sha256", "pdf"}


@pytest.fixture
def office_circular(issue):
    """Issued by the Office to Shanghai's and Jiangsu's liaison offices."""
    return issue(to=("sh-liaison", "js-liaison"))


def listed(api_as, user) -> list[dict]:
    response = api_as(user).get("/api/v1/circulars/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("yrd-office", True),  # the issuer
        ("yrd-leader", True),  # a colleague in the issuing organisation
        ("sh-liaison", True),  # an addressee
        ("js-liaison", True),
        ("zj-liaison", False),  # another region's office, not addressed
        ("sh-insurance", False),  # another organisation of an addressed region
        ("sh-leader", False),
    ],
)
def test_a_circular_without_a_case_is_listed_to_its_issuer_and_addressees(
    demo, api_as, office_circular, username, sees
):
    rows = listed(api_as, demo.user(username))
    assert [row["id"] for row in rows] == ([office_circular.pk] if sees else [])
    if sees:
        assert set(rows[0]) >= FIELDS
        assert rows[0]["document_number"] == office_circular.document_number
        assert rows[0]["status"] == "issued"
        assert rows[0]["sha256"] == office_circular.sha256
        assert rows[0]["pdf"] == f"http://testserver/circulars/{office_circular.pk}/pdf/"


def test_a_circular_of_a_case_is_visible_to_whoever_sees_the_case(demo, api_as, issue, make_sheet):
    sheet = make_sheet(by="js-liaison", to="sh-liaison")
    circular = issue(by="js-liaison", to=("zj-liaison",), case=sheet)
    for username, sees in [
        ("js-liaison", True),
        ("sh-liaison", True),  # a participant of the case
        ("yrd-office", True),  # sees every case
        ("sh-leader", True),  # its region takes part
        ("zj-liaison", False),  # an addressee, but not of the case: the case decides
        ("ah-liaison", False),
    ]:
        assert [row["id"] for row in listed(api_as, demo.user(username))] == ([circular.pk] if sees else []), username
    detail = api_as(demo.user("sh-liaison")).get(f"/api/v1/circulars/{circular.pk}/").json()
    assert detail["case"] == {
        "model": "assignment_sheets.assignmentsheet",
        "id": sheet.pk,
        "reference": sheet.reference,
    }
    assert detail["document_number"] == circular.document_number == f"苏联防〔{circular.year}〕1号"


def test_an_invisible_circular_answers_404_and_anonymous_401(demo, api_as, api, office_circular):
    response = api_as(demo.user("zj-liaison")).get(f"/api/v1/circulars/{office_circular.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.get("/api/v1/circulars/").status_code == 401


def test_posting_issues_a_circular_that_is_rendering_until_the_worker_is_done(demo, api_as, queued_renders):
    # The office head posts it: signed off and issued at once (an officer's would await sign-off).
    response = api_as(demo.user("js-head")).post(
        "/api/v1/circulars/",
        {
            "title": "关于苏沪通勤人员健康码互认的通知",
            "addressees": ["sh-liaison"],
            "body": "一、互认范围\n苏州至上海通勤人员持绿码通行。",
            "attachments": ["通勤人员名单"],
            "signed_on": "2026-03-10",
            "copy_to": "长三角区域合作办公室",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="issue-1",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["document_number"], body["pdf"], body["sha256"]) == (
        "rendering",
        "苏联防〔2026〕1号",
        None,
        "",
    )
    assert body["addressees"] == ["sh-liaison"]
    assert body["addressee_line"] == demo.org("sh-liaison").name_zh
    circular_render(body["id"])
    again = api_as(demo.user("js-liaison")).get(f"/api/v1/circulars/{body['id']}/").json()
    assert again["status"] == "issued" and again["pdf"].endswith(f"/circulars/{body['id']}/pdf/")
    assert (
        again["verify_url"] == f"http://127.0.0.1:8000/documents/verify/{again['verification_code'].replace('-', '')}/"
    )


def test_the_same_idempotency_key_issues_once(demo, api_as):
    client = api_as(demo.user("js-liaison"))
    payload = {"title": "关于互认的通知", "addressees": ["sh-liaison"], "body": "正文。"}
    first = client.post("/api/v1/circulars/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = client.post("/api/v1/circulars/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == second.status_code == 201
    assert Circular.objects.count() == 1


def test_a_draft_is_issued_through_its_issue_action(demo, api_as):
    client = api_as(demo.user("yrd-leader"))  # a leader of the Office signs off what it issues
    draft = client.post(
        "/api/v1/circulars/",
        {"title": "关于互认的通知", "addressees": ["sh-liaison"], "body": "正文。", "draft": True},
        format="json",
    ).json()
    assert (draft["status"], draft["document_number"]) == ("draft", None)
    issued = client.post(f"/api/v1/circulars/{draft['id']}/issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "rendering"
    again = client.post(f"/api/v1/circulars/{draft['id']}/issue/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_a_draft"


def test_only_an_issuing_role_may_post_and_only_the_issuer_may_retry(demo, api_as, office_circular):
    payload = {"title": "通知", "addressees": ["sh-liaison"], "body": "正文。"}
    assert api_as(demo.user("wuxi-hospital")).post("/api/v1/circulars/", payload, format="json").status_code == 403
    Circular.objects.filter(pk=office_circular.pk).update(status=Circular.Status.FAILED)
    assert api_as(demo.user("sh-liaison")).post(f"/api/v1/circulars/{office_circular.pk}/retry/").status_code == 403
    response = api_as(demo.user("yrd-office")).post(f"/api/v1/circulars/{office_circular.pk}/retry/")
    assert response.status_code == 200 and response.json()["status"] == "rendering"


def test_a_bad_request_names_the_fields(demo, api_as):
    response = api_as(demo.user("yrd-office")).post(
        "/api/v1/circulars/", {"title": "", "addressees": ["nowhere"], "body": ""}, format="json"
    )
    assert response.status_code == 400
    assert {"title", "addressees", "body"} <= set(response.json()["error"]["details"])


@pytest.mark.parametrize("count", [2, 6])
def test_the_list_costs_a_fixed_number_of_queries(
    demo, api_as, issue, make_sheet, django_assert_max_num_queries, count
):
    sheet = make_sheet(by="js-liaison", to="sh-liaison")
    for i in range(count):
        issue(by="js-liaison", to=("sh-liaison",), render=False, case=sheet if i % 2 else None)
    client = api_as(demo.user("sh-liaison"))
    with django_assert_max_num_queries(9):
        rows = client.get("/api/v1/circulars/").json()["results"]
    assert len(rows) == count
