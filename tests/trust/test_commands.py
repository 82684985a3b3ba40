"""`verify_document`, `signing_keys` and `trust_list`: the same checks from the command line."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coordination.trust.models import SigningKey
from coordination.trust.pdf import sign_pdf
from coordination.trust.services import active_key, root_key
from coordination.trust.trust_list import signed_trust_list
from tests.trust.conftest import SEAL_BOX, byte_range

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def signed_file(js_office, small_pdf, tmp_path):
    path = tmp_path / "circular.pdf"
    path.write_bytes(sign_pdf(small_pdf(1), js_office, seals=[SEAL_BOX]))
    return path


def test_verify_document_prints_the_signer_and_succeeds_on_a_valid_document(signed_file, js_office):
    output = run("verify_document", str(signed_file))
    assert "江苏省测试联络办" in output
    assert active_key(js_office).kid in output
    assert output.rstrip().endswith("valid")


def test_verify_document_works_offline_with_a_downloaded_trust_list(signed_file, tmp_path, django_assert_num_queries):
    listed, root = tmp_path / "trust-list.json", tmp_path / "root.pem"
    listed.write_text(json.dumps(signed_trust_list(), ensure_ascii=False), encoding="utf-8")
    root.write_text(root_key().certificate_pem)
    with django_assert_num_queries(0):
        output = run("verify_document", str(signed_file), "--trust-list", str(listed), "--root-certificate", str(root))
    assert "key status    valid" in output


def test_verify_document_fails_on_an_altered_document(signed_file):
    data = signed_file.read_bytes()
    offset = data.index(b"WeasyPrint")
    assert offset < byte_range(data)[1]
    signed_file.write_bytes(data[:offset] + b"w" + data[offset + 1 :])
    with pytest.raises(CommandError, match="does not verify"):
        run("verify_document", str(signed_file))


def test_verify_document_fails_on_a_revoked_key(signed_file, js_office):
    run("signing_keys", "revoke", active_key(js_office).kid, "--reason", "私钥泄露")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_document", str(signed_file), stdout=out)
    assert "revoked" in out.getvalue()


def test_verify_document_as_a_process_exits_0_when_valid_and_1_otherwise(signed_file, tmp_path):
    """The exit code is what scripts read. Offline: the process needs no database."""
    listed = tmp_path / "trust-list.json"
    listed.write_text(json.dumps(signed_trust_list(), ensure_ascii=False), encoding="utf-8")
    garbage = tmp_path / "nothing.pdf"
    garbage.write_bytes(b"%PDF-1.7 nothing")

    def exit_code(path) -> int:
        command = [sys.executable, "manage.py", "verify_document", str(path), "--trust-list", str(listed)]
        return subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120, check=False).returncode

    assert exit_code(signed_file) == 0
    assert exit_code(garbage) == 1


def test_signing_keys_creates_rotates_revokes_and_lists(js_office):
    assert "created" in run("signing_keys", "create", "--root")
    assert "created" in run("signing_keys", "create", js_office.code)
    first = active_key(js_office)
    assert "rotated" in run("signing_keys", "rotate", str(js_office.pk))
    second = active_key(js_office)
    assert second.kid != first.kid
    run("signing_keys", "revoke", second.kid, "--reason", "test")
    listing = run("signing_keys", "list")
    for key in SigningKey.objects.all():
        assert key.kid in listing
        assert key.private_key_encrypted not in listing
    assert "revoked" in listing and "root" in listing
    assert "PRIVATE" not in listing


def test_signing_keys_explains_what_it_cannot_do(js_office):
    run("signing_keys", "create", js_office.code)
    with pytest.raises(CommandError, match="rotate"):
        run("signing_keys", "create", js_office.code)
    with pytest.raises(CommandError, match="No organisation"):
        run("signing_keys", "rotate", "no-such-org")
    with pytest.raises(CommandError, match="root"):
        run("signing_keys", "revoke", root_key().kid, "--reason", "x")
