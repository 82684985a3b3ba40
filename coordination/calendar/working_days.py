"""Working days: Monday to Friday, except the public holidays the Office enters, plus the
weekend days it enters as make-up working days (调休上班). The calendar is CalendarDay rows."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def calendar_overrides(start: date, end: date) -> dict[date, bool]:
    """date → is a working day, for the days the Office entered between start and end."""
    from coordination.models import CalendarDay

    return {
        day: kind == CalendarDay.Kind.WORKING_DAY
        for day, kind in CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind")
    }


def is_working_day(day: date, overrides: dict[date, bool] | None = None) -> bool:
    overrides = calendar_overrides(day, day) if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def next_working_day(day: date, *, horizon: int = 60) -> date:
    """The first working day after `day` (a Spring Festival week and its weekends included)."""
    overrides = calendar_overrides(day, day + timedelta(days=horizon))
    candidate = day + timedelta(days=1)
    while not is_working_day(candidate, overrides):
        candidate += timedelta(days=1)
    return candidate


def _clock(value) -> time:
    # environs hands back its default unparsed ("17:30") when the variable is not set.
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def same_working_day_deadline(received: datetime) -> datetime:
    """End of the working day a case is received on, when it arrives on a working day before
    the cut-off; otherwise end of the next working day."""
    local = timezone.localtime(received, timezone.get_default_timezone())
    day = local.date()
    if not (is_working_day(day) and local.time() < _clock(settings.WORKING_DAY_CUTOFF)):
        day = next_working_day(day)
    end = datetime.combine(day, _clock(settings.WORKING_DAY_END))
    return timezone.make_aware(end, timezone.get_default_timezone())
