"""Circulars issued at the same moment by the same issuer get consecutive, distinct numbers:
the counter row is locked. Real threads on PostgreSQL (SQLite serialises every writer)."""

from datetime import date

import pytest
from django.db import connection

from notices.circulars.numbering import allocate_document_number
from notices.circulars.services import circular_issue
from notices.models import CircularNumberSequence
from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.mark.parametrize("count", [2, 8])
def test_circulars_issued_at_once_get_consecutive_distinct_numbers(demo, count):
    officer, addressee = demo.user("yrd-leader"), demo.org("sh-liaison")  # signs off and so issues
    outcomes = run_at_once(
        count,
        lambda: circular_issue(
            by=officer, title="并发发文", body="并发。", addressees=[addressee], signed_on=date(2026, 3, 10)
        ),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(o.sequence for o in outcomes) == list(range(1, count + 1))
    assert len({o.document_number for o in outcomes}) == count
    assert CircularNumberSequence.objects.get(issuer=demo.org("yrd-office"), year=2026).last == count


def test_numbers_are_allocated_only_inside_a_transaction(demo):
    with pytest.raises(RuntimeError):
        allocate_document_number(demo.org("yrd-office"), 2026)
