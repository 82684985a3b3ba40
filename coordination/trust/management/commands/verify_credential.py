"""`manage.py verify_credential CREDENTIAL|- --trust-list FILE --root-certificate FILE`: check a
scanned credential (release notice, health-code token, pass) offline, against a downloaded
signed trust list — no database, no network: what any region's checkpoint can run. The root
certificate is pinned (obtained once, through a trusted channel): a list is trusted only when
that root signed it, never because it names a root of its own; and a list older than
--max-age-hours (48) is refused, since it may not carry recent revocations. Without
--trust-list, against this platform's database. Exit code 0 when valid, 1 otherwise."""

import json
import sys
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coordination.trust import credentials
from coordination.trust.trust_list import TrustListError, verify_trust_list


class Command(BaseCommand):
    help = "Verify a credential's text offline against a downloaded trust list (or this database's keys)."

    def add_arguments(self, parser):
        parser.add_argument("credential", help="the credential's text, or - to read it from standard input")
        parser.add_argument("--trust-list", help="a downloaded trust-list.json (its signature is checked first)")
        parser.add_argument(
            "--root-certificate", help="PEM file of the Office's root certificate (required with --trust-list)"
        )
        parser.add_argument(
            "--max-age-hours", type=float, default=48.0, help="refuse a trust list issued longer ago (default 48)"
        )

    def handle(self, *args, credential, trust_list=None, root_certificate=None, max_age_hours=48.0, **options):
        text = sys.stdin.read() if credential == "-" else credential
        trust = None
        if trust_list:
            if not root_certificate:
                raise CommandError(
                    "pin the root certificate with --root-certificate: "
                    "a trust list that names its own root proves nothing"
                )
            try:
                document = json.loads(Path(trust_list).read_text(encoding="utf-8"))
                pinned = Path(root_certificate).read_bytes()
                trust = credentials.Trust.from_trust_list(verify_trust_list(document, root_certificate=pinned))
            except (OSError, ValueError, TrustListError) as exc:
                raise CommandError(f"the trust list cannot be used: {exc}") from exc
            if timezone.now() - trust.issued_at > timedelta(hours=max_age_hours):
                raise CommandError(
                    f"the trust list was issued at {trust.issued_at.isoformat()}: download a fresh one "
                    "(an old list does not carry recent revocations)"
                )
        try:
            checked = credentials.verify(text, trust=trust)
        except credentials.MalformedCredential as exc:
            raise CommandError(f"not a credential: {exc}") from exc
        write = self.stdout.write
        facts = checked.as_dict()
        for name in ("result", "kind", "credential_id", "kid", "issued_at", "expires_at", "revoked_at"):
            if facts[name]:
                write(f"{name:<14}{facts[name]}")
        if checked.issuer:
            write(f"{'issuer':<14}{checked.issuer.get('code')} {checked.issuer.get('name_zh')}")
        if checked.reason:
            write(f"{'reason':<14}{checked.reason}")
        for name, value in checked.data.items():
            write(f"{'data.' + name:<14}{value}")
        if not checked.valid:
            raise CommandError(f"the credential does not verify: {checked.result}")
        write(self.style.SUCCESS("valid"))
