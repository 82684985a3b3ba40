"""Sign-in pages and API tokens: clear answers for wrong credentials, never a 500."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def test_the_login_page_renders_in_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录" in body
    assert "长三角联防联控协同平台" in body


def test_the_login_page_switches_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body


def test_signing_in_leads_to_the_home_page_with_organisation_and_role(client, personas):
    response = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "江苏省测试联络办" in body
    assert "江苏省" in body
    assert "联络员" in body
    assert "M3" in body and "重大防疫管控举措相互通报" in body


def test_a_wrong_password_on_the_login_page_shows_an_error(client, personas):
    response = client.post("/accounts/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_home_page_needs_a_signed_in_user(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_out_ends_the_session(client, personas):
    client.force_login(personas.owner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_user_can_change_their_password(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-pass-2026", "new_password2": "a-new-long-pass-2026"},
    )
    assert response.status_code == 302
    personas.owner.refresh_from_db()
    assert personas.owner.check_password("a-new-long-pass-2026")


def test_the_token_endpoint_returns_a_token_that_authenticates(api, personas):
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["organisation"]["code"] == "t-js-liaison"
    assert me.json()["role"] == "liaison_officer"


def test_a_wrong_password_gets_a_400_with_a_code(api, personas):
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "owner"}, {"password": "x"}, {"username": ["a"], "password": {"b": 1}}],
)
def test_malformed_token_requests_get_a_400(api, personas, body):
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid", "invalid_credentials"}


def test_a_non_json_body_gets_a_400(api, db):
    response = api.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_repeated_failures_lock_the_account_out(api, personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        api.post("/api/v1/auth/token/", {"username": "owner", "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "locked_out"


def test_the_me_endpoint_answers_401_without_credentials(api, db):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_user_without_an_organisation_has_none(api_as, personas):
    body = api_as(personas.outsider).get("/api/v1/me/").json()
    assert body["organisation"] is None and body["role"] is None
