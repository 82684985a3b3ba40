"""`Case.deadline_on_entering` honours the catalogue's deadline basis for every mechanism: a
row on the working-day basis falls due the same working day (or the next one after the cut-off),
on the Office's calendar — shown here on the test-only mechanism, which knows nothing of it."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from coordination.models import CalendarDay, Mechanism, Organisation
from tests.mechanisms.plain_requests.mechanism import plain_request_create

SHANGHAI = timezone.get_default_timezone()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def working_day_basis(db):
    Mechanism.objects.filter(code="F3").update(deadline_basis=Mechanism.DeadlineBasis.WORKING_DAY)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-03-04 10:00", "2026-03-04 17:30"),  # a Wednesday morning: the same day
        ("2026-03-06 16:00", "2026-03-09 17:30"),  # a Friday after the cut-off: Monday
        ("2026-03-07 09:00", "2026-03-09 17:30"),  # a Saturday: Monday
    ],
)
def test_a_working_day_mechanism_falls_due_on_the_working_day(demo, working_day_basis, received, due):
    with time_machine.travel(at(received), tick=False):
        case = plain_request_create(
            by=demo.user("js-liaison"), title="核查", question="请协助核查", responder=demo.org("sh-liaison")
        )
    assert timezone.localtime(case.due_at, SHANGHAI) == at(due)


def test_the_offices_holidays_move_the_deadline(demo, working_day_basis):
    CalendarDay.objects.create(date="2026-03-09", kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    with time_machine.travel(at("2026-03-06 16:00"), tick=False):
        case = plain_request_create(
            by=demo.user("js-liaison"), title="核查", question="请协助核查", responder=demo.org("sh-liaison")
        )
    assert timezone.localtime(case.due_at, SHANGHAI) == at("2026-03-10 17:30")


def test_a_clock_mechanism_counts_its_time_limit(demo):
    mechanism = Mechanism.objects.get(code="F3")
    with time_machine.travel(at("2026-03-06 16:00"), tick=False):
        case = plain_request_create(
            by=demo.user("js-liaison"),
            title="核查",
            question="请协助核查",
            responder=Organisation.objects.get(code="sh-liaison"),
        )
    assert case.due_at == at("2026-03-06 16:00") + mechanism.default_deadline
