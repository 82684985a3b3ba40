"""`manage.py generate_scale_data` (the benchmarks' data sets) writes cases in every state with
valid audit chains, and follows the models' columns (a removed column breaks it here, not in
a bench run hours later)."""

import os

import pytest
from django.core.management import call_command

from coordination.models import AuditEntry
from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.mechanisms.measure_notices.models import MeasureNotice

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="COPY needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_small_data_set_is_generated_with_intact_audit_chains(capsys):
    call_command("generate_scale_data", filings=300, notices=20, sheets=50, seed=7)
    assert InsuranceFiling.objects.count() == 300
    assert MeasureNotice.objects.count() == 20
    assert AssignmentSheet.objects.count() == 50
    assert set(InsuranceFiling.objects.values_list("state", flat=True)) >= {"submitted", "approved", "rejected"}
    assert AuditEntry.objects.count() > 370
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
