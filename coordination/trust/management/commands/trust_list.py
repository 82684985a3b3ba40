"""`manage.py trust_list [--out FILE]`: the signed trust list as JSON, from this platform's
database; with `--url`, downloaded from a running platform and its signature checked first
(against `--root-certificate` when given)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coordination.trust.trust_list import TrustListError, signed_trust_list, verify_trust_list


class Command(BaseCommand):
    help = "Export (or download and check) the signed trust list."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="write to this file (default: standard output)")
        parser.add_argument("--url", help="download from this URL (e.g. https://…/trust-list.json) instead")
        parser.add_argument("--root-certificate", help="PEM file of the root certificate to pin (with --url)")

    def handle(self, *args, out=None, url=None, root_certificate=None, **options):
        document = self.download(url, root_certificate) if url else signed_trust_list()
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        if out:
            Path(out).write_text(text, encoding="utf-8")
            keys = len(document["list"]["keys"])
            self.stderr.write(f"trust list with {keys} keys written to {out}")
        else:
            self.stdout.write(text, ending="")

    def download(self, url: str, root_certificate: str | None) -> dict:
        import httpx

        try:
            response = httpx.get(url, timeout=10.0, follow_redirects=False)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise CommandError(f"could not download the trust list: {exc}") from exc
        pinned = Path(root_certificate).read_bytes() if root_certificate else None
        try:
            verify_trust_list(document, root_certificate=pinned)
        except TrustListError as exc:
            raise CommandError(str(exc)) from exc
        return document
