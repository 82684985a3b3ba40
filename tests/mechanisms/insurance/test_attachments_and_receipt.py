"""Attachments are PDF, JPEG or PNG by their content, within the size limit; an approved
filing's receipt is an official PDF with a verification QR code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coordination.mechanisms.insurance.models import FilingAttachment, InsuranceFiling
from coordination.workflow.engine import transition_fire
from tests.mechanisms.insurance.conftest import approval

URL = "/api/v1/insurance-filings/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, pk, name, content, kind="diagnosis_certificate"):
    return client.post(
        f"{URL}{pk}/attachments/", {"kind": kind, "file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_a_pdf_and_a_png_are_attached_and_downloaded(ins, api_as, file_filing):
    filing = file_filing()
    client = api_as(ins.user("wuxi-hospital"))
    assert upload(client, filing.pk, "referral.pdf", PDF, "referral_letter").status_code == 201
    response = upload(client, filing.pk, "certificate.png", PNG)
    assert response.status_code == 201
    download = api_as(ins.user("sh-insurance")).get(response.json()["url"])
    assert download.status_code == 200 and download.content == PNG and download["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [("certificate.pdf", PNG), ("virus.exe", b"MZ\x90\x00"), ("fake.png", b"<html>hello</html>"), ("empty.pdf", b"")],
)
def test_a_file_that_is_not_what_it_says_is_refused(ins, api_as, file_filing, name, content):
    filing = file_filing()
    response = upload(api_as(ins.user("wuxi-hospital")), filing.pk, name, content)
    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]
    assert not FilingAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(ins, api_as, file_filing, settings):
    settings.INSURANCE_ATTACHMENT_MAX_BYTES = 1024
    filing = file_filing()
    response = upload(api_as(ins.user("wuxi-hospital")), filing.pk, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]


def test_the_centre_cannot_attach_files(ins, api_as, file_filing):
    filing = file_filing()
    assert upload(api_as(ins.user("sh-insurance")), filing.pk, "x.pdf", PDF).status_code == 403


def test_there_is_no_receipt_before_approval(ins, api_as, file_filing):
    filing = file_filing()
    assert api_as(ins.user("wuxi-hospital")).get(f"{URL}{filing.pk}/receipt/").status_code == 404


def test_the_receipt_is_a_pdf_whose_code_the_public_page_verifies(ins, api_as, client, file_filing):
    filing = file_filing()
    transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    response = api_as(ins.user("wuxi-hospital")).get(f"{URL}{filing.pk}/receipt/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    filing.refresh_from_db()
    assert filing.receipt_sha256 and filing.receipt_pdf
    page = client.get(f"/documents/verify/{filing.receipt_digest}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert filing.reference in text and filing.id_number not in text and "张三" not in text
    assert client.get("/documents/verify/" + "0" * 64 + "/").status_code == 404
