"""M2 release notices (健康观察解除告知单互认) on the credential pattern: Anhui releases a person
from observation; the notice carries a signed credential that any region verifies — through the
API, the page, or offline — and Anhui can revoke it. Only the issuer opens the notice itself;
the ID number is masked everywhere but `unmask/`, which is audited."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from coordination.mechanisms.release_notices.models import ReleaseNotice
from coordination.pii import idcard
from coordination.pii.access import personal_data_accesses
from coordination.trust.trust_list import signed_trust_list
from coordination.workflow.deadlines import credentials_expire

pytestmark = pytest.mark.django_db

NUMBER = idcard.with_check_character("34070219850312001")


def body(**fields):
    end = timezone.localdate() - timedelta(days=1)
    return {
        "person_name": "王建国",
        "id_number": NUMBER,
        "observation_kind": "centralised",
        "observation_start": (end - timedelta(days=14)).isoformat(),
        "observation_end": end.isoformat(),
        "observation_place": "铜陵市集中医学观察点",
        "destination_region": "320000",
        **fields,
    }


@pytest.fixture
def anhui(demo, api_as):
    return api_as(demo.user("ah-liaison"))


def issue(client, **fields):
    response = client.post("/api/v1/release-notices/", body(**fields), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def verify(client, credential):
    return client.post("/api/v1/credentials/verify/", {"credential": credential}, format="json")


def test_issued_notice_carries_a_credential_any_region_verifies(anhui, demo, api_as):
    notice = issue(anhui)
    assert notice["state"] == "issued" and notice["reference"].startswith("AH-REL-")
    assert notice["id_number"] == "340702********" + NUMBER[-4:]
    assert notice["person_name"] == "王**"
    assert NUMBER not in json.dumps(notice)
    checked = verify(api_as(demo.user("js-liaison")), notice["credential"])
    assert checked.status_code == 200
    result = checked.json()
    assert (result["result"], result["kind"], result["issuer"]["code"]) == ("valid", "M2", "ah-liaison")
    assert result["data"]["id"] == notice["id_number"] and result["data"]["ref"] == notice["reference"]
    # Anyone may verify, signed in or not: the credential carries masks only.
    from rest_framework.test import APIClient

    assert verify(APIClient(), notice["credential"]).json()["result"] == "valid"


def test_revoking_makes_every_verification_say_revoked(anhui, demo, api_as, django_capture_on_commit_callbacks):
    notice = issue(anhui)
    with django_capture_on_commit_callbacks(execute=True):
        response = anhui.post(
            f"/api/v1/release-notices/{notice['id']}/transitions/revoke/",
            {"payload": {"reason": "信息录入错误"}},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "revoked"
    assert verify(api_as(demo.user("zj-liaison")), notice["credential"]).json()["result"] == "revoked"
    # Offline too: the revocation is published with the trust list.
    assert notice["credential_id"] in {r["jti"] for r in signed_trust_list()["list"]["revoked_credentials"]}
    # Revoked once: a second revocation is refused by the state.
    again = anhui.post(
        f"/api/v1/release-notices/{notice['id']}/transitions/revoke/", {"payload": {"reason": "x"}}, format="json"
    )
    assert again.status_code == 409


def test_only_the_issuer_revokes_and_other_regions_do_not_see_the_notice(anhui, demo, api_as):
    notice = issue(anhui)
    jiangsu = api_as(demo.user("js-liaison"))
    assert jiangsu.get(f"/api/v1/release-notices/{notice['id']}/").status_code == 404
    response = jiangsu.post(
        f"/api/v1/release-notices/{notice['id']}/transitions/revoke/", {"payload": {"reason": "x"}}, format="json"
    )
    assert response.status_code == 404
    assert api_as(demo.user("yrd-office")).get(f"/api/v1/release-notices/{notice['id']}/").status_code == 404


def test_expiry_moves_the_notice_and_verification_says_expired(anhui, demo, api_as):
    notice = issue(anhui, valid_days=1)
    later = timezone.now() + timedelta(days=2)
    assert credentials_expire(now=later) == 1
    assert ReleaseNotice.objects.get(pk=notice["id"]).state == "expired"
    from coordination.trust.credentials import verify as verify_credential

    assert verify_credential(notice["credential"], now=later).result == "expired"


def test_unmasking_needs_the_permission_and_a_reason_and_is_audited(anhui, demo):
    notice = issue(anhui)
    url = f"/api/v1/release-notices/{notice['id']}/unmask/"
    assert anhui.post(url, {"reason": "核对身份"}, format="json").status_code == 403
    officer = demo.user("ah-liaison")
    officer.user_permissions.add(Permission.objects.get(codename="unmask_releasenotice"))
    assert anhui.post(url, {}, format="json").status_code == 400
    response = anhui.post(url, {"reason": "核对身份"}, format="json")
    assert response.status_code == 200 and response.json() == {"id_number": NUMBER}
    [access] = [a for a in personal_data_accesses(ReleaseNotice.objects.get(pk=notice["id"])) if a.action == "unmask"]
    assert (access.user_id, access.reason) == (officer.pk, "核对身份")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_number": NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")}, "id_number"),
        ({"id_type": "passport", "id_number": "E1"}, "id_number"),
        ({"observation_start": "0001-01-01"}, "observation_start"),
        ({"observation_end": (timezone.localdate() + timedelta(days=3)).isoformat()}, "observation_end"),
        ({"observation_start": timezone.localdate().isoformat()}, "observation_end"),
        ({"person_name": "\x00"}, "person_name"),
        ({"person_name": "王" * 65}, "person_name"),
        ({"observation_place": "x" * 201}, "observation_place"),
        ({"destination_region": "999999"}, "destination_region"),
        ({"valid_days": 0}, "valid_days"),
        ({"valid_days": 10000}, "valid_days"),
        ({"valid_days": "many"}, "valid_days"),
        ({"observation_kind": "hotel"}, "observation_kind"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(anhui, fields, field):
    response = anhui.post("/api/v1/release-notices/", body(**fields), format="json")
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json()["error"]["details"])
    assert not ReleaseNotice.objects.exists()


def test_a_hospital_may_not_issue(demo, api_as):
    response = api_as(demo.user("wuxi-hospital")).post("/api/v1/release-notices/", body(), format="json")
    assert response.status_code == 403


def test_verify_api_answers_malformed_with_the_one_error_shape(demo, api_as):
    client = api_as(demo.user("js-liaison"))
    for credential in ("garbage", "a.b.c", "x" * 9000):
        response = verify(client, credential)
        assert response.status_code == 400
        assert response.json()["error"]["code"] in ("malformed_credential", "invalid")
    assert client.post("/api/v1/credentials/verify/", {"token": "x"}, format="json").status_code == 400
    assert client.post("/api/v1/credentials/verify/", "[1]", content_type="application/json").status_code == 400


def test_the_pdf_shows_masks_and_carries_the_credential(anhui, tmp_path):
    notice = issue(anhui)
    case = ReleaseNotice.objects.get(pk=notice["id"])
    opened = personal_data_accesses(case).filter(action="open").count()
    response = anhui.get(f"/api/v1/release-notices/{notice['id']}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Downloading the PDF is an opening of the notice's personal data, recorded like any other.
    assert personal_data_accesses(case).filter(action="open").count() == opened + 1
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.replace(" ", "")
    assert "健康观察解除告知单" in text and notice["id_number"] in text and NUMBER not in text


def test_the_verify_page_checks_what_a_checkpoint_pastes(anhui, client):
    notice = issue(anhui)
    page = client.post("/credentials/verify/", {"credential": notice["credential"]})
    assert page.status_code == 200 and "verdict-ok" in page.content.decode()
    bad = client.post("/credentials/verify/", {"credential": "not.a.credential"})
    assert bad.status_code == 422


# A process with an unreachable database and every socket refused runs the offline verifier.
NO_NETWORK = (
    "import socket, sys\n"
    "def refuse(*a, **k): raise OSError('no network')\n"
    "socket.socket.connect = refuse\n"
    "socket.create_connection = refuse\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(sys.argv)\n"
)


def verify_offline(credential: str, trust_list, root=None, *extra) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://nobody@192.0.2.1:1/none",
        "REDIS_URL": "redis://192.0.2.1:1/0",
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            NO_NETWORK,
            "verify_credential",
            credential,
            "--trust-list",
            str(trust_list),
            *(["--root-certificate", str(root)] if root else []),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(Path(__file__).resolve().parents[3]),
        timeout=120,
    )


def test_offline_verifier_needs_neither_database_nor_network(anhui, tmp_path):
    from coordination.trust.services import root_key

    notice = issue(anhui)
    trust_list = tmp_path / "trust-list.json"
    trust_list.write_text(json.dumps(signed_trust_list(), ensure_ascii=False), encoding="utf-8")
    root = tmp_path / "root.pem"
    root.write_text(root_key().certificate_pem, encoding="utf-8")
    run = verify_offline(notice["credential"], trust_list, root)
    assert run.returncode == 0, run.stderr
    assert "result        valid" in run.stdout and "ah-liaison" in run.stdout
    header, claims, _signature = notice["credential"].split(".")
    other = issue(anhui, person_name="李秀英")["credential"].split(".")[2]
    run = verify_offline(f"{header}.{claims}.{other}", trust_list, root)
    assert run.returncode == 1 and "tampered" in run.stdout + run.stderr
    # A list is trusted only as signed by the pinned root, and only while it is recent.
    run = verify_offline(notice["credential"], trust_list)
    assert run.returncode == 1 and "--root-certificate" in run.stderr
    run = verify_offline(notice["credential"], trust_list, root, "--max-age-hours", "0")
    assert run.returncode == 1 and "fresh" in run.stderr


def test_a_trust_list_naming_another_root_is_refused_offline(anhui, tmp_path):
    """A forger's own root, own Ed25519 key and own token, in a list that names that root."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from coordination.trust import certificates, crypto
    from coordination.trust.services import root_key
    from coordination.trust.trust_list import canonical_json

    notice = issue(anhui)
    document = signed_trust_list()
    forged_key = ec.generate_private_key(ec.SECP256R1())
    kid = crypto.kid_for(forged_key.public_key())
    now = timezone.now()
    forged_root = certificates.root_certificate(
        forged_key,
        name="伪造",
        kid=kid,
        serial=crypto.kid_serial_number(kid),
        not_before=now,
        not_after=now + timedelta(days=1),
    )
    document["list"]["root"] = {**document["list"]["root"], "kid": kid, "certificate": certificates.to_pem(forged_root)}
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, sig_s = decode_dss_signature(forged_key.sign(canonical_json(document["list"]), ec.ECDSA(hashes.SHA256())))
    document["signature"] = {
        "kid": kid,
        "alg": "ES256",
        "value": base64.b64encode(r.to_bytes(32, "big") + sig_s.to_bytes(32, "big")).decode(),
    }
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    root = tmp_path / "root.pem"
    root.write_text(root_key().certificate_pem, encoding="utf-8")
    run = verify_offline(notice["credential"], forged, root)
    assert run.returncode == 1 and "trust list cannot be used" in run.stderr
