"""Idempotency-Key: the same user, key and body replay the first response."""

from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.models import AuditEntry

URL = "/api/v1/assignment-sheets/"
BODY = {"title": "请协助核查", "matter": "司机3名", "addressee": "sh-liaison"}


def test_creating_twice_with_one_key_creates_one_sheet(api_as, demo):
    client = api_as(demo.user("js-liaison"))
    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert AssignmentSheet.objects.count() == 1


def test_the_same_key_with_another_body_gets_422(api_as, demo):
    client = api_as(demo.user("js-liaison"))
    client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(URL, {**BODY, "title": "另一件事"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert AssignmentSheet.objects.count() == 1


def test_keys_are_scoped_per_user(api_as, demo):
    api_as(demo.user("js-liaison")).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api_as(demo.user("zj-liaison")).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201
    assert AssignmentSheet.objects.count() == 2


def test_a_failed_request_stores_nothing_and_may_be_retried(api_as, demo):
    client = api_as(demo.user("js-liaison"))
    failed = client.post(URL, {**BODY, "title": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert failed.status_code == 400
    retried = client.post(URL, {**BODY, "title": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert retried.status_code == 400 and "Idempotent-Replayed" not in retried


def test_firing_a_transition_twice_with_one_key_fires_it_once(api_as, demo, make_sheet):
    sheet = make_sheet()
    client = api_as(demo.user("sh-liaison"))
    path = f"{URL}{sheet.pk}/transitions/accept/"
    first = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="accept-1")
    second = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="accept-1")
    assert first.status_code == second.status_code == 200
    assert second.json()["version"] == 2
    assert AuditEntry.objects.filter(object_id=sheet.pk, transition="accept").count() == 1


def test_an_overlong_key_gets_400(api_as, demo):
    response = api_as(demo.user("js-liaison")).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
