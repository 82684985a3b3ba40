"""`manage.py check_stock_ledger`: every stock balance against the sum of its movements; exit 1
naming each balance that differs."""

from django.core.management.base import BaseCommand, CommandError

from supplies.models import StockBalance
from supplies.services import ledger_check


class Command(BaseCommand):
    help = "Check that every stock balance equals the sum of its ledger movements; exits 1 on a discrepancy."

    def handle(self, *args, **options):
        discrepancies = ledger_check()
        if discrepancies:
            for discrepancy in discrepancies:
                self.stderr.write(str(discrepancy))
            raise CommandError(f"stock ledger out of balance: {len(discrepancies)} balance(s)", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"stock ledger balanced: {StockBalance.objects.count()} balances"))
