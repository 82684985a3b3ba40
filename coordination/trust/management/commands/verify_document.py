"""`manage.py verify_document FILE.pdf [--trust-list FILE] [--root-certificate FILE]`: check a
signed document's signatures, offline with a downloaded trust list. Exit code 0 when it is
valid, 1 otherwise."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coordination.trust.verify import verify_pdf


class Command(BaseCommand):
    help = "Verify a signed PDF against the trust list (this database's, or a downloaded one)."

    def add_arguments(self, parser):
        parser.add_argument("pdf", help="the PDF file")
        parser.add_argument("--trust-list", help="a downloaded trust-list.json (default: this platform's keys)")
        parser.add_argument("--root-certificate", help="PEM file of the root certificate to pin")

    def handle(self, *args, pdf, trust_list=None, root_certificate=None, **options):
        try:
            data = Path(pdf).read_bytes()
            listed = json.loads(Path(trust_list).read_text(encoding="utf-8")) if trust_list else None
            pinned = Path(root_certificate).read_bytes() if root_certificate else None
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        result = verify_pdf(data, trust_list=listed, root_certificate=pinned)
        write = self.stdout.write
        write(f"document      {pdf}")
        write(f"sha256        {result.document_sha256}")
        write(f"signed        {'yes' if result.signed else 'no'}")
        for check in result.signatures:
            signed_at = timezone.localtime(check.signed_at).isoformat() if check.signed_at else "-"
            write(f"signature     {check.field_name}: {check.organisation_name} (key {check.kid}), signed {signed_at}")
            write(
                f"              intact {'yes' if check.intact else 'no'}, chain to root "
                f"{'yes' if check.trusted else 'no'}, key {check.key_status}"
            )
        write(f"intact        {'yes' if result.intact else 'no'}")
        write(f"key status    {result.key_status}")
        for problem in result.problems:
            write(f"problem       {problem}")
        if not result.valid:
            raise CommandError("the document does not verify")
        write(self.style.SUCCESS("valid"))
