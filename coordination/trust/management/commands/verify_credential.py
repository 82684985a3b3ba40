"""`manage.py verify_credential CREDENTIAL|- --trust-list FILE [--root-certificate FILE]`: check
a scanned credential (release notice, health-code token, pass) offline, against a downloaded
signed trust list — no database, no network: what any region's checkpoint can run. Without
--trust-list, against this platform's database. Exit code 0 when valid, 1 otherwise."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coordination.trust import credentials
from coordination.trust.trust_list import TrustListError, verify_trust_list


class Command(BaseCommand):
    help = "Verify a credential's text offline against a downloaded trust list (or this database's keys)."

    def add_arguments(self, parser):
        parser.add_argument("credential", help="the credential's text, or - to read it from standard input")
        parser.add_argument("--trust-list", help="a downloaded trust-list.json (its signature is checked first)")
        parser.add_argument("--root-certificate", help="PEM file of the root certificate to pin")

    def handle(self, *args, credential, trust_list=None, root_certificate=None, **options):
        text = sys.stdin.read() if credential == "-" else credential
        trust = None
        if trust_list:
            try:
                document = json.loads(Path(trust_list).read_text(encoding="utf-8"))
                pinned = Path(root_certificate).read_bytes() if root_certificate else None
                trust = credentials.Trust.from_trust_list(verify_trust_list(document, root_certificate=pinned))
            except (OSError, ValueError, TrustListError) as exc:
                raise CommandError(f"the trust list cannot be used: {exc}") from exc
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
