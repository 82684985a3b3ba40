"""A new mechanism needs nothing but its ~30-line declaration (tests/mechanisms/plain_requests/):
its API resource, case page, "my work", register and export, search, the briefing's count and the
admin all pick it up from the registry, without a line of the platform naming it."""

import csv
import io

import pytest
from django.urls import reverse

from coordination.briefing import BriefingScope
from coordination.briefing.core import PROVINCIAL, cases_figures
from coordination.my_work import my_work
from tests.mechanisms.plain_requests.models import PlainRequest

URL = "/api/v1/plain-requests/"
BODY = {
    "title": "请协助对接返岗务工人员",
    "question": "约三百名皖籍员工拟于下周返沪，请协助对接包车。",
    "responder": "js-liaison",
}


@pytest.fixture
def request_by_sh(demo, api_as):
    """A plain request from Shanghai's liaison office to Jiangsu's, made through its API."""
    response = api_as(demo.user("sh-liaison")).post(URL, BODY, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def f3_open(scope=None) -> int:
    figures = cases_figures(scope or BriefingScope(region_codes=PROVINCIAL))
    return next((row[2] for row in figures["rows"] if row[0] == "F3"), 0)


def test_its_api_creates_lists_opens_and_fires_its_transitions(demo, api_as, request_by_sh):
    case = request_by_sh
    assert case["reference"].startswith("SH-PLN-") and case["state"] == "submitted"
    assert case["question"] == BODY["question"] and case["allowed_transitions"] == ["withdraw"]
    assert {(p["organisation"]["code"], p["role"]) for p in case["participants"]} == {
        ("sh-liaison", "originator"),
        ("js-liaison", "responder"),
    }
    responder = api_as(demo.user("js-liaison"))
    assert [row["id"] for row in responder.get(URL).json()["results"]] == [case["id"]]
    detail = responder.get(f"{URL}{case['id']}/").json()
    assert set(detail["allowed_transitions"]) == {"accept", "reply", "return_for_correction", "refuse"}

    fire = responder.post(f"{URL}{case['id']}/transitions/accept/", {"version": 1}, format="json")
    assert (fire.status_code, fire.json()["state"], fire.json()["version"]) == (200, "accepted", 2)
    reply = responder.post(
        f"{URL}{case['id']}/transitions/reply/", {"payload": {"result": "已对接。"}, "version": 2}, format="json"
    )
    assert (reply.status_code, reply.json()["result"]) == (200, "已对接。")
    closed = api_as(demo.user("sh-liaison")).post(f"{URL}{case['id']}/transitions/close/", {}, format="json")
    assert closed.json()["state"] == "closed"
    assert [entry["transition"] for entry in closed.json()["audit"]] == ["create", "accept", "reply", "close"]

    assert api_as(demo.user("zj-liaison")).get(f"{URL}{case['id']}/").status_code == 404
    assert api_as(demo.user("wuxi-hospital")).post(URL, BODY, format="json").status_code == 403
    assert api_as(demo.user("sh-liaison")).get(f"{URL}graph/")["Content-Type"] == "image/svg+xml"
    assert reverse("plain-request-detail", args=[case["id"]]) == f"{URL}{case['id']}/"


def test_its_case_page_shows_its_own_field_and_the_responders_actions(client, demo, request_by_sh):
    client.force_login(demo.user("js-liaison"))
    page = client.get(f"/cases/plain-requests/{request_by_sh['id']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert request_by_sh["reference"] in html and BODY["question"] in html
    assert f"/cases/plain-requests/{request_by_sh['id']}/transitions/accept/" in html
    posted = client.post(f"/cases/plain-requests/{request_by_sh['id']}/transitions/accept/")
    assert posted.status_code == 302
    assert PlainRequest.objects.get(pk=request_by_sh["id"]).state == "accepted"


def test_it_waits_in_the_responders_my_work(client, demo, request_by_sh):
    items, total = my_work(demo.user("js-liaison"))
    assert [(item.label, item.case.pk, item.role) for item in items] == [
        ("plain-requests", request_by_sh["id"], "responder")
    ]
    assert total == 1
    assert my_work(demo.user("sh-liaison")) == ([], 0)  # a submitted request waits for its responder
    client.force_login(demo.user("js-liaison"))
    assert f"/cases/plain-requests/{request_by_sh['id']}/" in client.get("/").content.decode()


def test_its_register_and_csv_export_hold_it(client, demo, request_by_sh):
    client.force_login(demo.user("sh-liaison"))
    page = client.get("/registers/plain-requests/")
    assert page.status_code == 200 and request_by_sh["reference"] in page.content.decode()
    export = client.get("/registers/plain-requests/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode().lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [request_by_sh["reference"]]
    client.force_login(demo.user("zj-liaison"))
    assert request_by_sh["reference"] not in client.get("/registers/plain-requests/").content.decode()


def test_search_finds_it_by_reference(client, demo, request_by_sh):
    client.force_login(demo.user("js-liaison"))
    page = client.get("/search/", {"q": request_by_sh["reference"]}).content.decode()
    assert f"/cases/plain-requests/{request_by_sh['id']}/" in page
    client.force_login(demo.user("ah-liaison"))
    page = client.get("/search/", {"q": request_by_sh["reference"]}).content.decode()
    assert "/cases/plain-requests/" not in page


def test_the_briefing_counts_its_cases_under_its_catalogue_code(demo, api_as):
    before = f3_open()
    api_as(demo.user("sh-liaison")).post(URL, BODY, format="json")
    assert f3_open() == before + 1
    assert f3_open(BriefingScope(region_codes=("330000",))) == 0  # Zhejiang takes no part


def test_the_admin_lists_it_read_only(client, demo, request_by_sh):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    changelist = client.get("/admin/plain_requests/plainrequest/")
    assert changelist.status_code == 200 and request_by_sh["reference"] in changelist.content.decode()
    detail = client.get(f"/admin/plain_requests/plainrequest/{request_by_sh['id']}/change/")
    assert detail.status_code == 200
    assert client.get("/admin/plain_requests/plainrequest/add/").status_code == 403
