#!/usr/bin/env python
"""Credential verification: the full check against bare signature verification of the same
credential, side by side in one process.

    .venv/bin/python bench/credentials.py

A database of its own (`yrd_bench_credentials` on 127.0.0.1, or BENCH_CREDENTIALS_DATABASE_URL)
holds the demo organisations' keys and BENCH_REVOKED (10,000) revoked credentials. A release
notice's credential is signed with Anhui's Ed25519 key; then BENCH_ROUNDS rounds, interleaved,
of BENCH_VERIFY verifications each by:

- `full`: `credentials.verify(token)` as the API and the page run it — parse, the issuer's key
  from the process's trust (keys and revocations read from the database, kept for
  CREDENTIAL_TRUST_SECONDS), the signature, the key's validity, expiry, revocation;
- `offline`: the same against a downloaded signed trust list (`Trust.from_trust_list`);
- `bare`: the Ed25519 signature of the same credential alone (libsodium, what `full` uses);
- `openssl`: the same signature with `cryptography` (OpenSSL), for comparison.

Targets (issue 15): `full` ≥ 5,000/s on this machine and ≥ 50 % of `bare`. Output: a table and
var/bench/credentials.json. Nothing here asserts: it measures.
"""

import base64
import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._db import log, prepare, setup_django  # noqa: E402

URL = os.environ.get("BENCH_CREDENTIALS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yrd_bench_credentials")
VERIFY = int(os.environ.get("BENCH_VERIFY", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
REVOKED = int(os.environ.get("BENCH_REVOKED", "10000"))
GENERATOR_VERSION = 1
TARGET_PER_S, TARGET_SHARE = 5000, 0.5
OUT_DIR = ROOT / "var" / "bench"


def prepare_database() -> None:
    os.environ.setdefault("SIGNING_KEYS_SECRET", "bench-signing-secret-not-for-production-0123456789")
    fresh = not prepare(
        URL,
        marker_sql="SELECT version, revoked FROM bench_dataset",
        wanted=(GENERATOR_VERSION, REVOKED),
        holds_data=lambda conn: True,
        describe=f"credentials bench v{GENERATOR_VERSION}, {REVOKED:,} revoked",
    )
    setup_django(URL)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        from django.utils import timezone

        from coordination.demo import seed_organisations, seed_users
        from coordination.models import Organisation
        from coordination.trust.credentials import new_credential_id
        from coordination.trust.models import RevokedCredential
        from coordination.trust.services import ensure_demo_keys

        seed_users(seed_organisations())
        ensure_demo_keys()
        anhui, now = Organisation.objects.get(code="ah-liaison"), timezone.now()
        RevokedCredential.objects.bulk_create(
            RevokedCredential(
                jti=new_credential_id(),
                kind="M2",
                organisation=anhui,
                revoked_at=now,
                expires_at=now + timedelta(days=60),
            )
            for _ in range(REVOKED)
        )
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_dataset (version integer, revoked integer)")
            cursor.execute("INSERT INTO bench_dataset VALUES (%s, %s)", [GENERATOR_VERSION, REVOKED])


def rate(call, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        call()
    return n / (time.perf_counter() - started)


def main() -> None:
    prepare_database()
    from cryptography.hazmat.primitives import serialization
    from django.utils import timezone

    from coordination.models import Organisation
    from coordination.trust import credentials
    from coordination.trust.services import active_key
    from coordination.trust.trust_list import signed_trust_list, verify_trust_list

    anhui = Organisation.objects.get(code="ah-liaison")
    now = timezone.now()
    data = {
        "ref": "AH-REL-2026-000001",
        "name": "王**",
        "doc": "resident_id",
        "id": "340702********0012",
        "obs": "centralised",
        "from": "2026-11-15",
        "until": "2026-11-29",
        "place": "铜陵市集中医学观察点（铜陵宾馆）",
        "issuer": anhui.name_zh,
    }
    token, kid, _jti, _expiry = credentials.credential_sign(
        anhui, kind="M2", data=data, issued_at=now, expires_at=now + timedelta(days=30)
    )
    assert credentials.verify(token).valid
    offline = credentials.Trust.from_trust_list(verify_trust_list(json.loads(json.dumps(signed_trust_list()))))
    assert credentials.verify(token, trust=offline).valid
    signing_input, signature = token.rsplit(".", 1)
    signing_input = signing_input.encode()
    signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    nacl_key = offline.keys[kid].verify_key
    openssl_key = active_key(anhui, algorithm="EdDSA").certificate.public_key()
    assert isinstance(openssl_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw), bytes)

    variants = {
        "full": lambda: credentials.verify(token),
        "offline": lambda: credentials.verify(token, trust=offline),
        "bare": lambda: nacl_key.verify(signing_input, signature),
        "openssl": lambda: openssl_key.verify(signature, signing_input),
    }
    for call in variants.values():  # warm
        rate(call, 500)
    runs = {name: [] for name in variants}
    log(
        f"{len(token)}-character credential, {REVOKED:,} revoked credentials in the trust; {ROUNDS} rounds × {VERIFY:,}"
    )
    for n in range(ROUNDS):
        for name, call in variants.items():
            runs[name].append(rate(call, VERIFY))
        log(f"  round {n + 1}: " + ", ".join(f"{name} {runs[name][-1]:,.0f}/s" for name in variants))
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": os.getloadavg(),
        "token_length": len(token),
        "revoked_in_trust": REVOKED,
        **{name: round(statistics.median(values)) for name, values in runs.items()},
    }
    result["full_over_bare"] = round(result["full"] / result["bare"], 3)
    result["meets_rate_target"] = result["full"] >= TARGET_PER_S
    result["meets_share_target"] = result["full_over_bare"] >= TARGET_SHARE
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "credentials.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    log()
    log(f"{'variant':<12}{'per s':>10}")
    for name in variants:
        log(f"{name:<12}{result[name]:>10,}")
    log(f"full/bare: {result['full_over_bare']:.0%} (target ≥ {TARGET_SHARE:.0%}): {result['meets_share_target']}")
    log(f"full ≥ {TARGET_PER_S:,}/s: {result['meets_rate_target']}")
    log(f"written: {OUT_DIR / 'credentials.json'}")


if __name__ == "__main__":
    main()
