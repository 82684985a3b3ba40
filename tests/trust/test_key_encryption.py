"""Private keys are stored only encrypted, under a key derived from SIGNING_KEYS_SECRET."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from coordination.trust import crypto
from coordination.trust.models import SigningKey
from coordination.trust.services import active_key, forget_key_material, key_material


def stored_column(key: SigningKey) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_encrypted FROM trust_signingkey WHERE id = %s", [key.pk])
        return cursor.fetchone()[0]


def test_the_database_column_holds_neither_the_pem_nor_the_der_private_key(js_office):
    key = active_key(js_office)
    private_key = key_material(key).private_key
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    column = stored_column(key)
    assert column.startswith(crypto.PREFIX)
    assert "PRIVATE KEY" not in column
    assert pem.splitlines()[1] not in column
    assert base64.b64encode(der).decode() not in column
    assert der not in base64.b64decode(column.removeprefix(crypto.PREFIX))
    scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
    assert scalar not in base64.b64decode(column.removeprefix(crypto.PREFIX))


def test_a_wrong_secret_fails_to_decrypt_with_a_clear_error(js_office, settings):
    key = active_key(js_office)
    forget_key_material()
    settings.SIGNING_KEYS_SECRET = "another-secret-of-more-than-thirty-two-characters"
    with pytest.raises(crypto.KeyDecryptionError, match=rf"{key.kid}.*SIGNING_KEYS_SECRET"):
        key_material(SigningKey.objects.get(pk=key.pk))


def test_a_ciphertext_copied_to_another_key_does_not_decrypt(js_office, sh_office):
    js_key, sh_key = active_key(js_office), active_key(sh_office)
    with pytest.raises(crypto.KeyDecryptionError):
        crypto.decrypt_private_key(js_key.private_key_encrypted, kid=sh_key.kid)


def test_production_mode_refuses_to_sign_without_the_secret(js_office, settings):
    settings.DEBUG = False
    settings.SIGNING_KEYS_SECRET = ""
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEYS_SECRET"):
        active_key(js_office)
    assert not SigningKey.objects.exists()


def test_the_deploy_check_names_the_missing_secret(settings):
    settings.DEBUG = False
    settings.SIGNING_KEYS_SECRET = ""
    assert [e.id for e in crypto.check_signing_secret()] == ["trust.E001"]
    with pytest.raises(SystemCheckError, match=r"trust\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR", tags=["security"])


def test_debug_mode_without_the_secret_derives_a_development_key(js_office, settings):
    settings.DEBUG = True
    settings.SIGNING_KEYS_SECRET = ""
    key = active_key(js_office)
    forget_key_material()
    assert key_material(SigningKey.objects.get(pk=key.pk)).kid == key.kid
    settings.SIGNING_KEYS_SECRET = "now-a-real-secret-of-more-than-thirty-two-characters"
    forget_key_material()
    with pytest.raises(crypto.KeyDecryptionError):
        key_material(SigningKey.objects.get(pk=key.pk))


def test_a_short_secret_stops_the_process_at_start_up(tmp_path):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_VAR_DIR": str(tmp_path)}
    environment["SIGNING_KEYS_SECRET"] = "too-short"
    probe = [sys.executable, "-c", "from django.conf import settings; settings.SIGNING_KEYS_SECRET"]
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(probe, cwd=root, env=environment, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "SIGNING_KEYS_SECRET" in result.stderr
