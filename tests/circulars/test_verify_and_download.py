"""The one verification page (/documents/verify/<code>/) answers for a circular's printed
short code and for its hashes and 404s for a forged one, without the body (the old
/circulars/verify/ links redirect there); downloads obey case permissions (404 outside) and carry the Chinese
filename per RFC 6266/5987."""

from urllib.parse import quote

import pytest
from rest_framework.authtoken.models import Token

from notices.circulars.samples import HEALTH_CODE_BODY


@pytest.fixture
def circular(issue):
    return issue(to=("sh-liaison",))


def test_the_verification_page_answers_for_the_printed_code_and_for_the_files_hash(client, circular):
    body_text = HEALTH_CODE_BODY.split("\n")[0]
    code = circular.verification_code
    dashed = "-".join(code[i : i + 4] for i in range(0, 12, 4))
    for digest in (code, dashed, dashed.lower(), circular.content_sha256, circular.sha256, circular.sha256.upper()):
        response = client.get(f"/documents/verify/{digest}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert circular.document_number in page
        assert circular.title in page
        assert circular.issuer.name_zh in page
        assert "2026" in page or str(circular.signed_on.year) in page
        assert body_text[:20] not in page  # the body is not revealed
        assert f"/circulars/{circular.pk}/pdf/" not in page  # anonymous: no download


def test_the_old_verification_links_redirect_to_the_one_verification(client, circular):
    response = client.get(f"/circulars/verify/{circular.content_sha256}/")
    assert response.status_code == 301
    assert response["Location"] == f"/documents/verify/{circular.content_sha256}/"


def test_a_forged_or_malformed_hash_answers_404(client, circular):
    forged = "0" * 64
    assert client.get(f"/documents/verify/{forged}/").status_code == 404
    assert client.get(f"/documents/verify/{circular.sha256[:-1]}x/").status_code == 404
    assert client.get("/documents/verify/not-a-hash/").status_code == 404
    assert client.get("/documents/verify/ZZZZ-ZZZZ-ZZZZ/").status_code == 404


def test_a_circular_still_rendering_cannot_be_verified(client, issue):
    pending = issue(render=False)
    assert client.get(f"/documents/verify/{pending.verification_code}/").status_code == 404


def test_the_verification_page_offers_the_download_to_an_addressee(client, demo, circular):
    client.force_login(demo.user("sh-liaison"))
    page = client.get(f"/documents/verify/{circular.verification_code}/").content.decode()
    assert f"/circulars/{circular.pk}/pdf/" in page


def test_an_addressee_downloads_the_pdf_under_its_chinese_name(client, demo, circular):
    client.force_login(demo.user("sh-liaison"))
    response = client.get(f"/circulars/{circular.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    name = f"{circular.document_number} {circular.title}.pdf"
    assert disposition == (
        f'attachment; filename="circular-{circular.year}-{circular.sequence}.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    assert "%E3%80%94" in disposition  # 〔 encoded, never raw bytes in a header
    disposition.encode("ascii")


@pytest.mark.parametrize("username", ["zj-liaison", "sh-insurance", "wuxi-hospital"])
def test_anybody_else_gets_404(client, demo, circular, username):
    client.force_login(demo.user(username))
    assert client.get(f"/circulars/{circular.pk}/pdf/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, circular):
    response = client.get(f"/circulars/{circular.pk}/pdf/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_api_client_downloads_with_its_token(client, demo, circular):
    token, _ = Token.objects.get_or_create(user=demo.user("sh-liaison"))
    response = client.get(f"/circulars/{circular.pk}/pdf/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    outsider, _ = Token.objects.get_or_create(user=demo.user("ah-liaison"))
    assert client.get(f"/circulars/{circular.pk}/pdf/", HTTP_AUTHORIZATION=f"Token {outsider.key}").status_code == 404


def test_a_circular_still_rendering_has_nothing_to_download(client, demo, issue):
    pending = issue(render=False, to=("sh-liaison",))
    client.force_login(demo.user("sh-liaison"))
    assert client.get(f"/circulars/{pending.pk}/pdf/").status_code == 404
