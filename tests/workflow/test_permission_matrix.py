"""Every persona × every endpoint of the assignment-sheet API (STYLE.md §7).

The sheet is assigned by Jiangsu's liaison office to Shanghai's. Personas: the owner
(js-liaison), a colleague in the same office, the responder (sh-liaison), an officer of a
region not involved (zj-liaison), the Office's coordinator and leader, Shanghai's leader, a
hospital and an outsider who belongs to no organisation.
"""

import pytest
from django.contrib.auth import get_user_model

from coordination.models import Membership

URL = "/api/v1/assignment-sheets/"

PERSONAS = [
    "js-liaison",
    "colleague",
    "sh-liaison",
    "zj-liaison",
    "yrd-office",
    "yrd-leader",
    "sh-leader",
    "wuxi-hospital",
    "outsider",
]
SEES = {"js-liaison", "colleague", "sh-liaison", "yrd-office", "yrd-leader", "sh-leader"}
# transition → who may fire it from "submitted" (everyone else who sees the sheet: 403)
MAY_FIRE = {
    "accept": {"sh-liaison"},
    "return_for_correction": {"sh-liaison"},
    "withdraw": {"js-liaison", "colleague"},
}
PAYLOADS = {"return_for_correction": {"reason": "请补充"}, "withdraw": {"reason": "已自行解决"}}


@pytest.fixture
def people(demo):
    User = get_user_model()
    colleague = User.objects.create_user("colleague", password="x")
    Membership.objects.create(user=colleague, organisation=demo.org("js-liaison"), role=Membership.Role.LIAISON_OFFICER)
    User.objects.create_user("outsider", password="x")
    return {name: demo.user(name) for name in PERSONAS}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_holds_exactly_the_sheets_a_persona_may_see(api_as, people, make_sheet, persona):
    js_to_sh = make_sheet()
    zj_to_ah = make_sheet(by="zj-liaison", to="ah-liaison")
    response = api_as(people[persona]).get(URL)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    expected = set()
    if persona in SEES:
        expected.add(js_to_sh.pk)
    if persona in {"zj-liaison", "yrd-office", "yrd-leader"}:
        expected.add(zj_to_ah.pk)
    assert ids == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_detail_answers_200_or_404(api_as, people, make_sheet, persona):
    sheet = make_sheet()
    for path in [f"{URL}{sheet.pk}/", f"{URL}{sheet.pk}/graph/"]:
        response = api_as(people[persona]).get(path)
        assert response.status_code == (200 if persona in SEES else 404), path


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", sorted(MAY_FIRE))
def test_firing_answers_200_403_or_404(api_as, people, make_sheet, persona, transition):
    sheet = make_sheet()
    response = api_as(people[persona]).post(
        f"{URL}{sheet.pk}/transitions/{transition}/", {"payload": PAYLOADS.get(transition, {})}, format="json"
    )
    if persona not in SEES:
        expected = 404
    elif persona in MAY_FIRE[transition]:
        expected = 200
    else:
        expected = 403
    assert response.status_code == expected, response.content
    if expected != 200:
        sheet.refresh_from_db()
        assert sheet.version == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_allowed_transitions_are_what_the_persona_may_fire(api_as, people, make_sheet, persona):
    sheet = make_sheet()
    response = api_as(people[persona]).get(f"{URL}{sheet.pk}/")
    if persona not in SEES:
        assert response.status_code == 404
        return
    expected = {name for name, who in MAY_FIRE.items() if persona in who}
    if persona == "sh-liaison":
        expected |= {"refuse", "reply"}
    assert set(response.json()["allowed_transitions"]) == expected


def test_an_anonymous_client_gets_401_everywhere(api, make_sheet):
    sheet = make_sheet()
    for method, path in [("get", URL), ("get", f"{URL}{sheet.pk}/"), ("post", f"{URL}{sheet.pk}/transitions/accept/")]:
        response = getattr(api, method)(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


def test_a_non_numeric_id_gets_404(api_as, people):
    assert api_as(people["js-liaison"]).get(f"{URL}abc/").status_code == 404


def test_a_deactivated_officer_sees_nothing(api_as, people, make_sheet):
    make_sheet()
    officer = people["sh-liaison"]
    client = api_as(officer)
    officer.is_active = False
    officer.save()
    assert client.get(URL).status_code == 401
