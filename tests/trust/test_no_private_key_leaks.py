"""The private key never appears: not in the trust list, the admin, a repr, the commands, the log."""

import base64
import json
import logging
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command

from coordination.trust.models import SigningKey
from coordination.trust.pdf import sign_pdf
from coordination.trust.services import active_key, key_material, root_key
from coordination.trust.trust_list import signed_trust_list, trust_list


def secrets_of(key: SigningKey) -> list[str]:
    """Every form the private key takes: encrypted column, PEM body lines, DER base64, hex scalar."""
    private_key = key_material(key).private_key
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
    return [
        key.private_key_encrypted,
        key.private_key_encrypted[3:40],
        *pem.splitlines()[1:-1],
        base64.b64encode(der).decode(),
        scalar.hex(),
        base64.b64encode(scalar).decode(),
        "PRIVATE KEY",
    ]


@pytest.fixture
def keys(js_office):
    return [active_key(js_office), root_key()]


def assert_clean(text: str, keys) -> None:
    for key in keys:
        for secret in secrets_of(key):
            assert secret not in text


def test_the_trust_list_carries_no_private_material(keys):
    assert_clean(json.dumps(trust_list(), ensure_ascii=False), keys)
    assert_clean(json.dumps(signed_trust_list(), ensure_ascii=False), keys)


def test_no_repr_or_str_shows_it(keys):
    for key in keys:
        assert_clean(repr(key) + str(key) + repr(key_material(key)) + str(key_material(key)), keys)


def test_the_admin_list_and_detail_pages_do_not_show_it(admin_client, keys):
    pages = [admin_client.get("/admin/trust/signingkey/")]
    pages += [admin_client.get(f"/admin/trust/signingkey/{key.pk}/change/") for key in keys]
    for page in pages:
        assert page.status_code == 200
        assert_clean(page.content.decode(), keys)
    assert keys[0].kid in pages[0].content.decode()
    assert admin_client.get("/admin/trust/signingkey/add/").status_code == 403


def test_the_admin_revokes_with_a_reason(admin_client, keys):
    key = keys[0]
    url = "/admin/trust/signingkey/"
    confirm = admin_client.post(url, {"action": "revoke", "_selected_action": [key.pk]})
    assert confirm.status_code == 200 and "reason" in confirm.content.decode()
    assert_clean(confirm.content.decode(), keys)
    admin_client.post(url, {"action": "revoke", "_selected_action": [key.pk], "apply": "1", "reason": "私钥泄露"})
    key.refresh_from_db()
    assert (key.status(), key.revocation_reason) == ("revoked", "私钥泄露")


def test_signing_and_the_commands_log_and_print_nothing_secret(js_office, small_pdf, caplog):
    caplog.set_level(logging.DEBUG)
    sign_pdf(small_pdf(1), js_office)
    out = StringIO()
    call_command("signing_keys", "list", stdout=out)
    call_command("trust_list", stdout=out)
    keys = list(SigningKey.objects.all())
    assert_clean(out.getvalue() + caplog.text, keys)
