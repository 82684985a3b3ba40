"""The review deadline: the same working day (a cut-off in the afternoon), weekends and the
Office's holidays skipped, make-up working days counted; emergencies two hours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from coordination.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_a_routine_filing_in_the_morning_is_due_the_same_evening(file_filing):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):  # a Tuesday
        filing = file_filing(filing_type="referral")
    assert filing.due_at == at(2026, 3, 10, 17, 30)


def test_after_the_cut_off_it_is_due_the_next_working_day(file_filing):
    with time_machine.travel(at(2026, 3, 13, 16, 0), tick=False):  # a Friday afternoon
        filing = file_filing(filing_type="referral")
    assert filing.due_at == at(2026, 3, 16, 17, 30)  # Monday


def test_holidays_are_skipped_and_make_up_days_count(ins, file_filing):
    CalendarDay.objects.create(date=date(2026, 2, 16), kind="holiday", name="春节")
    CalendarDay.objects.create(date=date(2026, 2, 17), kind="holiday", name="春节")
    CalendarDay.objects.create(date=date(2026, 2, 14), kind="working_day", name="春节调休")  # a Saturday
    with time_machine.travel(at(2026, 2, 13, 18, 0), tick=False):  # Friday evening
        first = file_filing(filing_type="referral")
    assert first.due_at == at(2026, 2, 14, 17, 30)
    with time_machine.travel(at(2026, 2, 14, 16, 0), tick=False):  # the make-up Saturday, after the cut-off
        from coordination.pii.idcard import with_check_character

        second = file_filing(
            filing_type="referral", id_number=with_check_character("31010119900215235"), birth_date="1990-02-15"
        )
    assert second.due_at == at(2026, 2, 18, 17, 30)  # Sunday, then two holidays


def test_an_emergency_filing_is_due_in_two_hours(file_filing):
    with time_machine.travel(at(2026, 3, 14, 22, 0), tick=False):  # Saturday night
        filing = file_filing(filing_type="emergency")
    assert filing.due_at == at(2026, 3, 15, 0, 0)
