"""Ten officers firing the same transition at once produce one transition, one audit row and
one outbox event; the others get a clear conflict. Real threads on PostgreSQL."""

import pytest
from django.db import connection

from coordination import events
from coordination.errors import Conflict, PreconditionFailed
from coordination.mechanisms.assignment_sheets.services import assignment_sheet_create
from coordination.models import AuditEntry, OutboxEvent, ReferenceSequence
from coordination.workflow.engine import transition_fire
from tests.concurrency import run_at_once

pytestmark = [
    # serialized_rollback restores the reference data (regions, catalogue) the flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.mark.parametrize("with_version", [True, False])
def test_ten_simultaneous_accepts_make_one_transition(demo, make_sheet, with_version):
    sheet = make_sheet()
    officer = demo.user("sh-liaison")
    outcomes = run_at_once(
        10,
        lambda: transition_fire(
            type(sheet), sheet.pk, "accept", by=officer, expected_version=1 if with_version else None
        ),
    )
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(successes) == 1
    expected_error = PreconditionFailed if with_version else Conflict
    assert len(failures) == 9 and all(isinstance(f, expected_error) for f in failures), failures
    assert AuditEntry.objects.filter(object_id=sheet.pk, transition="accept").count() == 1
    assert OutboxEvent.objects.filter(object_id=sheet.pk, kind=events.CASE_TRANSITIONED).count() == 1
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version) == ("accepted", 2)


def test_simultaneous_creations_get_distinct_gap_free_references(demo):
    officer, addressee = demo.user("js-liaison"), demo.org("sh-liaison")
    outcomes = run_at_once(
        10, lambda: assignment_sheet_create(by=officer, title="并发", matter="并发创建", addressee=addressee)
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    numbers = sorted(int(o.reference.rsplit("-", 1)[1]) for o in outcomes)
    assert numbers == list(range(1, 11))
    assert ReferenceSequence.objects.get(region_abbr="JS", code="ASG").last == 10
