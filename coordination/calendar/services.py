"""Write services of the working-day calendar (coordination/calendar/working_days.py): the Regional
Cooperation Office enters public holidays and make-up working days.

Every change is recorded in Django's admin log (`LogEntry`: who, when, what, the entry as it
was), the same history the admin writes when the calendar is edited there, so both paths
leave one record. Deadlines already set on cases are not recomputed.
"""

import datetime
import json

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from coordination.models import CalendarDay, Membership
from coordination.workflow.access import membership_of

EDITABLE_FIELDS = ("date", "kind", "name")


# --- who may edit ----------------------------------------------------------------------------


def can_edit_calendar(user) -> bool:
    """Members of the Regional Cooperation Office, whatever their role."""
    membership = membership_of(user)
    return membership is not None and membership.organisation.is_cooperation_office


def calendar_editor(user) -> Membership:
    """The user's Office membership, or PermissionDenied (403) for everybody else."""
    if not can_edit_calendar(user):
        raise PermissionDenied
    return membership_of(user)


def calendar_day_for_user(user, pk, *, lock: bool = False) -> CalendarDay:
    """The access helper of calendar entries: 403 before 404, so nobody outside the Office
    learns which entries exist."""
    calendar_editor(user)
    queryset = CalendarDay.objects.select_for_update() if lock else CalendarDay.objects
    try:
        return queryset.get(pk=pk)
    except (CalendarDay.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- validation --------------------------------------------------------------------------------


def _check(entry: CalendarDay) -> None:
    entry.full_clean()  # the model's rules (CalendarDay.clean), ValidationError field by field


def _duplicate_date() -> ValidationError:
    return ValidationError({"date": _("This date is in the calendar already; change that entry instead.")})


# --- the record of changes ---------------------------------------------------------------------


def _as_recorded(entry: CalendarDay) -> str:
    # Stored once, in the platform's default language, like case titles.
    with translation.override("zh-hans"):
        return str(entry)


def _log(*, by, entry: CalendarDay, action_flag: int, message: list[dict], represented: str) -> LogEntry:
    log = LogEntry(
        user_id=by.pk,
        content_type_id=ContentType.objects.get_for_model(CalendarDay).pk,
        object_id=str(entry.pk),
        object_repr=represented[:200],
        action_flag=action_flag,
        change_message=json.dumps(message, ensure_ascii=False) if message else "",
    )
    log.save()
    return log


def _field_labels(names) -> list[str]:
    # Untranslated, as the admin stores them: LogEntry.get_change_message translates on display.
    with translation.override(None):
        return [str(CalendarDay._meta.get_field(name).verbose_name) for name in names]


def calendar_changes(*, limit: int = 20):
    """The latest changes to the calendar, made here or in the admin, newest first."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(CalendarDay))
        .select_related("user")
        .order_by("-action_time", "-id")[:limit]
    )


def change_details(log: LogEntry) -> tuple[list[str], str]:
    """The fields a recorded change changed (lower-case names, as here or in the admin) and the
    entry as it was before (recorded by `calendar_day_change` only; "" otherwise)."""
    try:
        message = json.loads(log.change_message or "[]")
    except ValueError:
        return [], ""
    for part in message if isinstance(message, list) else []:
        if isinstance(part, dict) and isinstance(part.get("changed"), dict):
            changed = part["changed"]
            return [str(name).lower() for name in changed.get("fields", [])], changed.get("was", "")
    return [], ""


# --- writes ------------------------------------------------------------------------------------


def calendar_day_create(*, by, date: datetime.date, kind: str, name: str = "") -> CalendarDay:
    """Enter a public holiday or a make-up working day. Raises ValidationError field by field."""
    calendar_editor(by)
    entry = CalendarDay(date=date, kind=kind, name=(name or "").strip())
    _check(entry)
    try:
        with transaction.atomic():
            entry.save()
            _log(by=by, entry=entry, action_flag=ADDITION, message=[{"added": {}}], represented=_as_recorded(entry))
    except IntegrityError:
        raise _duplicate_date() from None  # the same date entered at the same moment by a colleague
    return entry


def calendar_day_change(*, by, pk, date: datetime.date, kind: str, name: str = "") -> CalendarDay:
    """Change an entry's date, kind or name; a change that changes nothing is not recorded."""
    try:
        with transaction.atomic():
            entry = calendar_day_for_user(by, pk, lock=True)
            was = _as_recorded(entry)
            new = {"date": date, "kind": kind, "name": (name or "").strip()}
            changed = [field for field in EDITABLE_FIELDS if getattr(entry, field) != new[field]]
            if not changed:
                return entry
            for field, value in new.items():
                setattr(entry, field, value)
            _check(entry)
            entry.save()
            _log(
                by=by,
                entry=entry,
                action_flag=CHANGE,
                message=[{"changed": {"fields": _field_labels(changed), "was": was}}],
                represented=_as_recorded(entry),
            )
    except IntegrityError:
        raise _duplicate_date() from None
    return entry


@transaction.atomic
def calendar_day_delete(*, by, pk) -> None:
    """Remove an entry: the day is a working day or not again by its weekday alone."""
    entry = calendar_day_for_user(by, pk, lock=True)
    _log(by=by, entry=entry, action_flag=DELETION, message=[], represented=_as_recorded(entry))
    entry.delete()
