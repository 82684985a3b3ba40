"""Pages of hospitals and centres, the briefing panel (aggregates only), the demo's Wuxi story,
and the field-encryption key's production guard."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coordination.briefing import BriefingScope
from coordination.mechanisms.insurance.briefing import insurance_figures
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.pii import crypto
from coordination.workflow.engine import transition_fire
from tests.mechanisms.insurance.conftest import ID_NUMBER, approval, filing_data


def test_the_hospital_files_through_the_form_and_sees_it_in_my_filings(ins, client):
    client.force_login(ins.user("wuxi-hospital"))
    assert client.get("/insurance/filings/new/").status_code == 200
    response = client.post("/insurance/filings/new/", filing_data())
    filing = InsuranceFiling.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{filing.pk}/")
    page = client.get("/insurance/filings/").content.decode()
    assert filing.reference in page and ID_NUMBER not in page


def test_the_form_names_the_wrong_field_and_links_a_duplicate(ins, client, file_filing):
    client.force_login(ins.user("wuxi-hospital"))
    page = client.post("/insurance/filings/new/", filing_data(birth_date="1980-02-02")).content.decode()
    assert "has-error" in page and not InsuranceFiling.objects.exists()
    existing = file_filing()
    page = client.post("/insurance/filings/new/", filing_data()).content.decode()
    assert existing.reference in page


def test_the_centre_approves_from_its_queue_and_in_bulk(ins, client, file_filing):
    from coordination.pii.idcard import with_check_character

    one = file_filing()
    two = file_filing(id_number=with_check_character("31010119900215235"), birth_date="1990-02-15")
    routine = file_filing(
        id_number=with_check_character("31010119900216235"), birth_date="1990-02-16", filing_type="referral"
    )
    client.force_login(ins.user("sh-insurance"))
    page = client.get("/insurance/queue/").content.decode()
    assert page.index(one.reference) < page.index(routine.reference)
    client.post(f"/insurance/queue/{one.pk}/approve/", {"version": one.version})
    client.post("/insurance/queue/bulk-approve/", {"ids": [two.pk, routine.pk], "comment": "新冠急诊，先行备案"})
    states = dict(InsuranceFiling.objects.values_list("pk", "state"))
    assert states == {one.pk: "approved", two.pk: "approved", routine.pk: "submitted"}


def test_hospitals_do_not_see_the_queue_and_centres_cannot_file(ins, client):
    client.force_login(ins.user("wuxi-hospital"))
    assert client.get("/insurance/queue/").status_code == 403
    client.force_login(ins.user("sh-insurance"))
    assert client.get("/insurance/filings/new/").status_code == 403


def test_the_briefing_panel_holds_aggregates_only(ins, file_filing):
    filing = file_filing()
    transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    figures = insurance_figures(BriefingScope(region_codes=("310000", "320000", "330000", "340000")))
    assert figures["total"] == 1 and figures["approval_rate"] == 100.0
    assert figures["rows"][0][1:] == [1, 1, 0, 0, 0]
    text = json.dumps(figures, ensure_ascii=False, default=str)
    assert "张三" not in text and ID_NUMBER not in text


def test_seed_demo_tells_the_wuxi_story_once(ins):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    filings = InsuranceFiling.objects.filter(originator__code="wuxi-peoples-hospital")
    assert filings.count() == 6
    assert filings.filter(state="approved", insuring_centre__code="sh-insurance").count() == 3
    assert filings.filter(state="submitted").count() == 2


def test_a_ciphertext_decrypts_only_for_its_purpose():
    token = crypto.encrypt("13800138000", purpose="insurance.phone")
    assert crypto.decrypt(token, purpose="insurance.phone") == "13800138000"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, purpose="insurance.id_number")
    assert crypto.encrypt("x", purpose="p") != crypto.encrypt("x", purpose="p")
    assert crypto.search_hash("x", purpose="p") == crypto.search_hash("x", purpose="p")


def test_production_mode_refuses_the_default_field_key(tmp_path):
    root = Path(__file__).resolve().parents[3]
    environment = {k: v for k, v in os.environ.items() if k not in ("FIELD_ENCRYPTION_KEY", "DATABASE_URL")}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_VAR_DIR=str(tmp_path),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-real-secret-key-for-this-test-only-0123456789",
    )
    probe = "from django.conf import settings; print(settings.FIELD_ENCRYPTION_KEY)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, env=environment, capture_output=True, text=True)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr
    environment["FIELD_ENCRYPTION_KEY"] = "k" * 44
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_decision_times_come_out_the_same_in_sql_and_in_python(ins, file_filing):
    """PostgreSQL computes the percentiles in the database; others in Python: same figures."""
    from datetime import timedelta

    from coordination.mechanisms.insurance.briefing import decision_hours

    filing = file_filing()
    transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    decided_at = InsuranceFiling.objects.get(pk=filing.pk).created_at + timedelta(hours=3)
    InsuranceFiling.objects.filter(pk=filing.pk).update(decided_at=decided_at)
    assert decision_hours(InsuranceFiling.objects.filter(pk=filing.pk)) == (3.0, 3.0)
    assert decision_hours(InsuranceFiling.objects.none()) == (None, None)
