"""Only the filing hospital and the insuring centre open a filing: every other persona gets
404 from every endpoint, and no notice of it."""

import pytest

from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.workflow.engine import transition_fire
from notices.models import Notice
from tests.mechanisms.insurance.conftest import ID_NUMBER, approval

URL = "/api/v1/insurance-filings/"
OUTSIDERS = ["tongling-hospital", "js-insurance", "yrd-office", "yrd-leader", "sh-leader", "sh-liaison"]


@pytest.fixture
def approved(ins, file_filing):
    filing = file_filing()
    transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    return filing


@pytest.mark.parametrize("username", OUTSIDERS)
def test_anybody_else_gets_404_from_every_endpoint(ins, api_as, approved, username):
    client = api_as(ins.user(username))
    pk = approved.pk
    assert client.get(f"{URL}{pk}/").status_code == 404
    assert client.get(f"{URL}{pk}/receipt/").status_code == 404
    assert client.get(f"{URL}{pk}/attachments/").status_code == 404
    assert client.get(f"{URL}{pk}/attachments/1/").status_code == 404
    assert client.post(f"{URL}{pk}/unmask/").status_code == 404
    assert (
        client.post(f"{URL}{pk}/transitions/withdraw/", {"payload": {"reason": "x"}}, format="json").status_code == 404
    )
    assert client.get(f"{URL}{pk}/graph/").status_code == 404
    assert pk not in [row["id"] for row in client.get(URL).json()["results"]]
    assert not Notice.objects.filter(recipient=ins.user(username)).exists()


@pytest.mark.parametrize("username", OUTSIDERS)
def test_the_case_page_answers_404_to_anybody_else(ins, client, approved, username):
    client.force_login(ins.user(username))
    assert client.get(f"/cases/insurance-filings/{approved.pk}/").status_code == 404


def test_the_hospital_and_the_centre_are_told_of_the_decision_and_open_the_page(ins, client, approved):
    assert Notice.objects.filter(recipient=ins.user("wuxi-hospital")).exists()
    for username in ("wuxi-hospital", "sh-insurance"):
        client.force_login(ins.user(username))
        page = client.get(f"/cases/insurance-filings/{approved.pk}/")
        assert page.status_code == 200
        assert ID_NUMBER not in page.content.decode()
        assert "13800138000" not in page.content.decode()


def test_an_escalation_tells_leaders_but_does_not_let_them_in(ins, api_as, file_filing):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from coordination.workflow.deadlines import deadlines_check

    filing = file_filing()
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        deadlines_check()
        deadlines_check()
    filing.refresh_from_db()
    assert filing.escalated_at is not None
    assert api_as(ins.user("sh-leader")).get(f"{URL}{filing.pk}/").status_code == 404
    assert api_as(ins.user("yrd-office")).get(f"{URL}{filing.pk}/").status_code == 404


def test_the_database_holds_neither_id_nor_phone_in_clear(ins, file_filing):
    from django.db import connection

    filing = file_filing()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM insurance_insurancefiling WHERE id = %s", [filing.pk])
        stored = cursor.fetchone()
    assert ID_NUMBER not in stored[0] and "13800138000" not in stored[1]
    assert InsuranceFiling.objects.filter(id_number_hash=filing.id_number_hash).get().id_number == ID_NUMBER
