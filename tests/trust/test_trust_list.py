"""The trust list: every key with its status, signed by the root, served at a stable URL."""

import copy
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coordination.trust.models import SigningKey
from coordination.trust.services import active_key, key_revoke, key_rotate, root_key
from coordination.trust.trust_list import (
    TrustListError,
    canonical_json,
    signed_trust_list,
    trust_list,
    verify_trust_list,
)
from tests.factories import OrganisationFactory


def test_the_signed_list_verifies_offline_with_the_pinned_root_certificate(js_office):
    active_key(js_office)
    document = json.loads(json.dumps(signed_trust_list(), ensure_ascii=False))  # as downloaded
    root_pem = root_key().certificate_pem
    listed = verify_trust_list(document, root_certificate=root_pem)
    assert listed["root"]["certificate"] == root_pem
    assert document["signature"]["alg"] == "ES256"
    assert document["signature"]["kid"] == root_key().kid
    assert [k["organisation"]["name_zh"] for k in listed["keys"]] == ["江苏省测试联络办"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["list"]["keys"][0].update(status="active", revoked_at=None, revocation_reason=None),
        lambda d: d["list"]["keys"][0]["organisation"].update(name_zh="冒名机构"),
        lambda d: d["list"]["keys"].pop(),
        lambda d: d["list"].update(issued_at="2030-01-01T00:00:00Z"),
    ],
    ids=["revocation-removed", "name-changed", "key-removed", "date-changed"],
)
def test_a_tampered_list_is_rejected(js_office, tamper):
    key_revoke(kid=active_key(js_office).kid, reason="私钥泄露")
    document = signed_trust_list()
    verify_trust_list(copy.deepcopy(document))
    tampered = copy.deepcopy(document)
    tamper(tampered)
    with pytest.raises(TrustListError):
        verify_trust_list(tampered)


def test_a_list_signed_by_another_root_is_rejected_when_the_root_is_pinned(js_office):
    document = signed_trust_list()
    pinned = root_key().certificate_pem
    # Another root and its own list: consistent in itself, but not the root that was pinned.
    SigningKey.objects.filter(is_root=True).update(retired_at=timezone.now())
    forged = signed_trust_list()
    verify_trust_list(forged)
    with pytest.raises(TrustListError, match="pinned"):
        verify_trust_list(forged, root_certificate=pinned)
    verify_trust_list(document, root_certificate=pinned)


def test_a_malformed_list_is_rejected_with_a_clear_error():
    with pytest.raises(TrustListError, match="malformed"):
        verify_trust_list({"list": {}})
    with pytest.raises(TrustListError):
        verify_trust_list({"list": {"root": {"certificate": "x"}}, "signature": {}})


def test_it_lists_every_key_with_its_status(js_office, sh_office):
    old = active_key(js_office)
    new = key_rotate(organisation=js_office)
    revoked = active_key(sh_office)
    key_revoke(kid=revoked.kid, reason="私钥泄露")
    entries = {entry["kid"]: entry for entry in trust_list()["keys"]}
    assert set(entries) == {old.kid, new.kid, revoked.kid}
    assert (entries[old.kid]["status"], entries[old.kid]["current"], bool(entries[old.kid]["retired_at"])) == (
        "active",
        False,
        True,
    )
    assert (entries[new.kid]["status"], entries[new.kid]["current"]) == ("active", True)
    assert entries[revoked.kid]["status"] == "revoked"
    assert entries[revoked.kid]["revocation_reason"] == "私钥泄露"
    assert entries[revoked.kid]["revoked_at"].endswith("Z")
    entry = entries[new.kid]
    assert entry["organisation"] == {
        "id": js_office.pk,
        "code": js_office.code,
        "name_zh": "江苏省测试联络办",
        "name_en": "Jiangsu test liaison office",
    }
    assert entry["algorithm"] == "ES256"
    assert entry["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert entry["public_key"].startswith("-----BEGIN PUBLIC KEY-----")


def test_the_canonical_form_does_not_depend_on_key_order():
    assert (
        canonical_json({"b": 1, "a": "长三角"})
        == canonical_json({"a": "长三角", "b": 1})
        == '{"a":"长三角","b":1}'.encode()
    )


def test_the_view_serves_it_at_a_stable_url_without_signing_in(client, js_office):
    active_key(js_office)
    assert reverse("trust-list") == "/trust-list.json"
    response = client.get("/trust-list.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age" in response["Cache-Control"]
    listed = verify_trust_list(response.json(), root_certificate=root_key().certificate_pem)
    assert listed["keys"][0]["kid"] == active_key(js_office).kid


def test_the_view_costs_the_same_queries_for_a_few_keys_or_many(db, client, django_assert_max_num_queries):
    for _ in range(2):
        active_key(OrganisationFactory())
    client.get("/trust-list.json")
    # The root, the keys, the revoked credentials (and the session's own reads): never per key.
    with django_assert_max_num_queries(4):
        assert client.get("/trust-list.json").status_code == 200
    for _ in range(8):
        active_key(OrganisationFactory())
    with django_assert_max_num_queries(4):
        response = client.get("/trust-list.json")
    assert len(response.json()["list"]["keys"]) == 10


def test_the_trust_list_command_exports_the_signed_list(js_office, tmp_path):
    active_key(js_office)
    out = tmp_path / "trust-list.json"
    call_command("trust_list", "--out", str(out))
    document = json.loads(out.read_text(encoding="utf-8"))
    verify_trust_list(document, root_certificate=root_key().certificate_pem)
