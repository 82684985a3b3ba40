"""Write services of M1 tracing letters: send a letter (its persons typed or imported), the
per-person work the letter's transitions do (assign, reply, forward), unmasking (audited) and
the retention purge. The transitions themselves are the engine's (`transition_fire`)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.errors import Conflict, Invalid, PreconditionFailed, Unprocessable
from coordination.mechanisms.tracing_letters.importing import import_check
from coordination.mechanisms.tracing_letters.models import (
    ANSWERED_PERSON_STATES,
    OPEN_PERSON_STATES,
    Outcome,
    PersonalNumberUnmasking,
    PersonState,
    TracedPerson,
    TracingLetter,
)
from coordination.mechanisms.tracing_letters.persons import ROW_COLUMNS, Cities, person_check, person_row
from coordination.models import Organisation, Participant, Region
from coordination.pii.access import Action, personal_data_access_record
from coordination.pii.text import mask_text
from coordination.workflow.access import case_for_user, membership_of
from coordination.workflow.bulk import rows_insert
from coordination.workflow.engine import TransitionContext, audit_append, case_create

Role = Participant.Role
UNMASK_PERMISSION = "tracing_letters.unmask_tracingletter"
INSERT_BATCH = 2_000


class ImportMode:
    ALL = "all"  # nothing is imported while a row is bad
    VALID_ROWS = "valid_rows"  # the sender chose to import the valid rows only
    choices = (ALL, VALID_ROWS)


def liaison_office_of(region: Region) -> Organisation:
    office = Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE, region=region).order_by("id").first()
    if office is None:
        raise Invalid(
            _("%(region)s has no liaison office on the platform.") % {"region": region.name},
            details={"region": [_("This region has no liaison office on the platform.")]},
        )
    return office


def _persons_from_json(persons: list[dict], cities: Cities) -> list[dict]:
    """Typed persons, checked: 400 with each bad entry's errors (by its place in the list)."""
    errors, cleaned, seen = {}, [], {}
    for index, raw in enumerate(persons):
        checked = person_check(raw if isinstance(raw, dict) else {}, cities=cities)
        found = [error.as_dict() for error in checked.errors]
        number = checked.values.get("id_number")
        if number and not found:
            if number in seen:
                found.append(
                    {
                        "field": "id_number",
                        "code": "duplicate",
                        "message": _("The same document number as person %(n)s.") % {"n": seen[number] + 1},
                    }
                )
            seen.setdefault(number, index)
        if found:
            errors[str(index)] = found
        cleaned.append(checked.values)
    if errors:
        raise Invalid(_("Some persons are not valid."), code="invalid_persons", details={"persons": errors})
    return cleaned


def tracing_letter_create(
    *,
    by,
    title: str,
    addressee: Organisation,
    index_case_status: str,
    index_case_summary: str,
    persons: list[dict] | None = None,
    file=None,
    import_mode: str = ImportMode.ALL,
    time_limit: timedelta | None = None,
) -> TracingLetter:
    """A liaison office or health commission sends the addressee's region a letter listing the
    persons to trace, typed (`persons`) or imported from a CSV/XLSX `file`. A file with a bad row
    imports nothing (422 with the row-by-row report) unless `import_mode` is "valid_rows".
    Who may: the declaration's `may_create`, which `case_create` checks."""
    membership = membership_of(by)
    if membership is None:
        raise PermissionDenied
    cities = Cities(addressee.region)
    report = None
    if file is not None:
        report = import_check(file, cities=cities)
        if report.invalid and (import_mode != ImportMode.VALID_ROWS or not report.valid):
            raise Unprocessable(
                _("%(bad)s of %(total)s rows are not valid; nothing was imported.")
                % {"bad": len(report.invalid), "total": report.total},
                code="invalid_rows",
                details=report.as_dict(),
            )
        rows = [values for _line, values in report.valid]
    else:
        rows = _persons_from_json(persons or [], cities)
    if not rows:
        raise Invalid(_("A letter lists at least one person."), details={"persons": [_("This field is required.")]})
    sender = membership.organisation
    with transaction.atomic():
        letter = case_create(
            TracingLetter,
            by=by,
            title=mask_text(title),
            sender_region_id=sender.region_id,
            addressee_region_id=addressee.region_id,
            index_case_status=index_case_status,
            index_case_summary=mask_text(index_case_summary),
            person_count=len(rows),
            time_limit=time_limit,
            participants=[(addressee, Role.RESPONDER)],
        )
        rows_insert(
            TracedPerson,
            ROW_COLUMNS,
            (person_row(letter.pk, number, values, letter.created_at) for number, values in enumerate(rows, start=1)),
        )
    letter.import_report = report.as_dict() if report is not None else None
    return letter


# --- per-person work, called by the letter's transitions on the locked letter -------------------


def _persons_locked(letter, numbers) -> dict[int, TracedPerson]:
    found = {
        person.number: person
        for person in TracedPerson.objects.select_for_update(of=("self",)).filter(letter=letter, number__in=numbers)
    }
    missing = sorted(set(numbers) - set(found))
    if missing:
        raise Invalid(
            _("The letter lists no person numbered %(numbers)s.") % {"numbers": ", ".join(map(str, missing))},
            details={"persons": [_("Unknown person.")]},
        )
    return found


def _save_person(person: TracedPerson, *fields: str) -> None:
    person.version += 1
    person.save(update_fields=["state", "version", *fields])


def persons_assign(letter: TracingLetter, ctx: TransitionContext) -> None:
    """The addressed region gives persons (all unassigned ones when none are named) to one of
    its cities."""
    city = ctx.data["city"]
    numbers = ctx.data.get("persons") or list(
        letter.persons.filter(state=PersonState.PENDING).values_list("number", flat=True)
    )
    if not numbers:
        raise Conflict(_("No person is waiting to be assigned."), code="nothing_to_assign")
    persons = _persons_locked(letter, numbers)
    closed = sorted(number for number, person in persons.items() if person.state not in OPEN_PERSON_STATES)
    if closed:
        raise Conflict(
            _("Persons %(numbers)s are answered already.") % {"numbers": ", ".join(map(str, closed))},
            code="person_answered",
        )
    TracedPerson.objects.filter(pk__in=[p.pk for p in persons.values()]).update(
        state=PersonState.ASSIGNED, assigned_city=city, version=F("version") + 1
    )
    ctx.record.update({"city": city.code, "persons": sorted(numbers)})


def person_reply(letter: TracingLetter, ctx: TransitionContext) -> None:
    """The reply about one person; one who moved on is forwarded to that region at once."""
    data = ctx.data
    person = _persons_locked(letter, [data["person"]])[data["person"]]
    if data.get("person_version") is not None and data["person_version"] != person.version:
        raise PreconditionFailed(
            _("The person's reply has changed since you loaded it; reload and try again."),
            details={"current_version": person.version, "person": person.number},
        )
    if person.state == PersonState.MOVED_ON:
        raise Conflict(_("This person was forwarded to another region."), code="person_forwarded")
    ctx.record.update({"person": person.number, "outcome": data["outcome"]})
    if data["outcome"] == Outcome.MOVED_ON:
        _forward(letter, [person], data["moved_to"], ctx, note=data.get("note", ""))
    else:
        person.record_reply(data["outcome"], by=ctx.organisation, now=ctx.now)
        person.test_result = data.get("test_result", "") if data["outcome"] == Outcome.TESTED else ""
        person.tested_on = data.get("tested_on") if data["outcome"] == Outcome.TESTED else None
        person.note = data.get("note", "")
        _save_person(person, "test_result", "tested_on", "note", "replied_at", "replied_by")
    letter.counters_refresh()


def persons_forward(letter: TracingLetter, ctx: TransitionContext) -> None:
    """Persons who moved on to another region, sent there in one new letter."""
    persons = _persons_locked(letter, ctx.data["persons"])
    forwarded = sorted(number for number, person in persons.items() if person.state == PersonState.MOVED_ON)
    if forwarded:
        raise Conflict(
            _("Persons %(numbers)s were forwarded already.") % {"numbers": ", ".join(map(str, forwarded))},
            code="person_forwarded",
        )
    _forward(letter, [persons[n] for n in sorted(persons)], ctx.data["region"], ctx, note=ctx.data.get("note", ""))
    letter.counters_refresh()


def _forward(letter: TracingLetter, persons: list[TracedPerson], region: Region, ctx, *, note: str) -> TracingLetter:
    """A new letter to `region`'s liaison office with copies of the persons, linked to this one;
    the original sender follows it as an observer (and is told, like every participant of this
    letter, by the transition's notice)."""
    office = liaison_office_of(region)
    participants = [(office, Role.RESPONDER)]
    if letter.originator_id != office.pk:
        participants.append((letter.originator, Role.OBSERVER))
    summary = letter.index_case_summary
    if note:
        summary = f"{summary}\n\n{_('Forwarded by %(region)s:') % {'region': letter.addressee_region.name}} {note}"
    forward = case_create(
        TracingLetter,
        by=ctx.by,
        title=mask_text(f"转办：{letter.title}")[:200],
        sender_region_id=letter.addressee_region_id,
        addressee_region_id=region.pk,
        index_case_status=letter.index_case_status,
        index_case_summary=summary,
        forwarded_from=letter,
        person_count=len(persons),
        participants=participants,
    )
    copies = []
    for number, person in enumerate(persons, start=1):
        copy = TracedPerson(
            letter=forward,
            number=number,
            name=person.name,
            id_kind=person.id_kind,
            id_number=person.id_number,
            phone=person.phone,
            address=person.address,
            city=region,  # where in the region they went is the new addressee's to find out
            relation=person.relation,
            exposure_date=person.exposure_date,
            exposure_place=person.exposure_place,
            forwarded_from=person,
        )
        copy.refresh_search_columns()
        copies.append(copy)
    TracedPerson.objects.bulk_create(copies)
    for person in persons:
        person.record_reply(PersonState.MOVED_ON, by=ctx.organisation, now=ctx.now)
        person.moved_to = region
        person.forwarded_in = forward
        person.note = note
        _save_person(person, "moved_to", "forwarded_in", "note", "replied_at", "replied_by")
    ctx.record.update(
        {"forwarded_to": forward.reference, "region": region.code, "persons": [p.number for p in persons]}
    )
    return forward


# --- seeing the full numbers ---------------------------------------------------------------------


def can_unmask(user) -> bool:
    return user.has_perm(UNMASK_PERMISSION)


def tracing_letter_unmask(
    *, by, pk, reason: str, persons: list[int] | None = None, ip_address: str | None = None, request_id: str = ""
) -> dict:
    """The full ID and phone numbers of the letter's persons (all, or those numbered), for a
    person who sees the letter, holds the unmask permission and says why; recorded with the
    user, organisation, IP address, request id and reason."""
    letter = case_for_user(by, TracingLetter, pk)
    if not can_unmask(by):
        raise PermissionDenied
    reason = mask_text((reason or "").strip())
    if not reason:
        raise Invalid(_("Say why you need the full numbers."), details={"reason": [_("This field is required.")]})
    if letter.personal_data_purged_at is not None:
        raise Conflict(_("The letter's personal data has been purged."), code="personal_data_purged")
    rows = letter.persons.order_by("number")
    if persons:
        rows = rows.filter(number__in=persons)
    shown = [
        {"number": p.number, "name": p.name, "id_number": p.id_number, "phone": p.phone}
        for p in rows.only("number", "name", "id_number", "phone")
    ]
    request_id = request_id or uuid.uuid4().hex
    membership = membership_of(by)
    with transaction.atomic():
        personal_data_access_record(letter, by=by, action=Action.UNMASK, reason=reason)
        PersonalNumberUnmasking.objects.create(
            letter=letter,
            user=by,
            organisation=membership.organisation if membership else None,
            ip_address=ip_address or None,
            request_id=request_id[:64],
            reason=reason[:500],
            persons=[row["number"] for row in shown],
        )
    return {"request_id": request_id, "persons": shown}


# --- retention ----------------------------------------------------------------------------------

CLOSED_STATES = (TracingLetter.S.CLOSED, TracingLetter.S.REFUSED, TracingLetter.S.WITHDRAWN)


def retention_days() -> int:
    return settings.TRACING_LETTER_RETENTION_DAYS


def tracing_letters_purge(*, now=None, days: int | None = None) -> int:
    """Purge the personal data of letters closed more than `days` (default: the retention
    setting) ago: names reduced to their masks, numbers and addresses erased, the masks kept;
    each purge recorded in the letter's audit chain. Returns how many letters were purged."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    due = TracingLetter.objects.filter(
        state__in=CLOSED_STATES, closed_at__lte=cutoff, personal_data_purged_at__isnull=True
    ).values_list("pk", flat=True)
    purged = 0
    for pk in list(due):
        with transaction.atomic():
            letter = (
                TracingLetter.objects.select_for_update().filter(pk=pk, personal_data_purged_at__isnull=True).first()
            )
            if letter is None:
                continue
            persons = list(letter.persons.only("pk", "name"))
            for person in persons:
                person.name = person.name_masked
            TracedPerson.objects.bulk_update(persons, ["name"], batch_size=INSERT_BATCH)
            letter.persons.update(
                id_number="", id_number_hash="", phone="", phone_hash="", address="", version=F("version") + 1
            )
            TracingLetter.objects.filter(pk=pk).update(personal_data_purged_at=now)
            audit_append(
                letter,
                ctx=TransitionContext(by=None, organisation=None, now=now),
                transition="purge_personal_data",
                from_state=letter.state,
                to_state=letter.state,
                payload={"persons": len(persons), "retention_days": retention_days() if days is None else days},
            )
            purged += 1
    return purged


def answered_states() -> tuple[str, ...]:
    return tuple(ANSWERED_PERSON_STATES)
