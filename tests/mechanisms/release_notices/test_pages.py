"""The pages of M2: Anhui's officer issues a release notice from a form (errors beside their
fields, typed values kept), the case page shows its QR code and credential, the PDF opens for
the issuer only; the verification page is linked from every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.mechanisms.release_notices.models import ReleaseNotice
from coordination.pii import idcard

pytestmark = pytest.mark.django_db

NUMBER = idcard.with_check_character("34070219850312001")


def form(**fields):
    end = timezone.localdate() - timedelta(days=1)
    return {
        "person_name": "王建国",
        "id_type": "resident_id",
        "id_number": NUMBER,
        "observation_kind": "centralised",
        "observation_start": (end - timedelta(days=14)).isoformat(),
        "observation_end": end.isoformat(),
        "observation_place": "铜陵市集中医学观察点",
        "destination_region": "320000",
        "valid_days": "30",
        **fields,
    }


@pytest.fixture
def officer(client, demo):
    client.force_login(demo.user("ah-liaison"))
    return client


def test_the_form_issues_a_notice_and_its_page_shows_the_credential(officer):
    page = officer.get("/release-notices/new/")
    assert page.status_code == 200 and "verify" in page.content.decode()
    response = officer.post("/release-notices/new/", form())
    notice = ReleaseNotice.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{notice.pk}/")
    case_page = officer.get(response["Location"]).content.decode()
    assert notice.credential_id in case_page and "<svg" in case_page
    assert NUMBER not in case_page and notice.id_number_masked in case_page
    pdf = officer.get(f"/release-notices/{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_a_refused_form_keeps_what_was_typed_and_names_the_field(officer):
    wrong = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    response = officer.post("/release-notices/new/", form(id_number=wrong, observation_place="铜陵宾馆"))
    body = response.content.decode()
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["id_number"]  # beside its field, once
    assert "铜陵宾馆" in body and not ReleaseNotice.objects.exists()


def test_other_regions_neither_issue_here_nor_open_the_pdf(officer, client, demo):
    officer.post("/release-notices/new/", form())
    notice = ReleaseNotice.objects.get()
    client.force_login(demo.user("wuxi-hospital"))
    assert client.get("/release-notices/new/").status_code == 403
    client.force_login(demo.user("js-liaison"))
    assert client.get(f"/release-notices/{notice.pk}/pdf/").status_code == 404
    assert "/credentials/verify/" in client.get("/").content.decode()
