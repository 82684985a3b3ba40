"""`manage.py verify_audit`: walk every case's audit hash chain; exit 1 naming the first
broken row."""

from django.core.management.base import BaseCommand, CommandError

from coordination.workflow.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's per-case hash chains; exits non-zero at the first broken row."

    def handle(self, *args, **options):
        checked, broken = audit_verify()
        if broken:
            raise CommandError(f"audit chain broken: {broken}")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {checked} entries verified"))
