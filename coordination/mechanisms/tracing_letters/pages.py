"""Pages of M1 tracing letters: the letter's panel on the generic case page (its persons with
their follow-up state, and the per-person forms), the new-letter page (persons typed row by row
or imported from CSV/XLSX, with the template to download), and the audited unmasking page.

The panel's forms post to the case page's transition URL; `page_payload` reads them into the
API's payload, which the transition's serializer validates exactly as for an API call.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from coordination.case_pages import creator_required
from coordination.errors import DomainError
from coordination.mechanisms.tracing_letters.models import (
    IndexCaseStatus,
    Outcome,
    PersonState,
    TestResult,
    TracingLetter,
)
from coordination.mechanisms.tracing_letters.persons import FIELDS
from coordination.mechanisms.tracing_letters.services import ImportMode, can_unmask, tracing_letter_create
from coordination.models import Organisation, Region
from coordination.workflow.access import case_for_user, membership_of

RESOURCE = "tracing-letters"
PAGE_ACTIONS = ("assign_persons", "reply_person", "forward_persons")
PANEL_PERSONS = 500  # the page lists the first persons; the CSV export has them all
NEW_ROWS = 3


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text or "")]


def page_payload(name: str, post) -> dict:
    """A panel form's POST as the transition's payload (nothing checked here)."""
    text = {key: post.get(key, "").strip() for key in post}
    if name == "assign_persons":
        payload = {"persons": _numbers(text.get("persons", ""))}
        if text.get("city"):
            payload["city"] = text["city"]
        return payload
    if name == "forward_persons":
        payload = {"persons": _numbers(text.get("persons", ""))}
        for key in ("region", "note"):
            if text.get(key):
                payload[key] = text[key]
        return payload if payload["persons"] or len(payload) > 1 else {}
    payload = {}
    for key in ("person", "outcome", "test_result", "tested_on", "moved_to", "note", "person_version"):
        if text.get(key):
            payload[key] = text[key]
    return payload


def letter_panel_context(case, user, *, allowed, errors=None, submitted=None) -> dict:
    """The persons (first PANEL_PERSONS, masked) with their state, the counts per state, the
    linked letters and the forms the user may use. A fixed number of queries."""
    persons = list(
        case.persons.select_related("city", "assigned_city", "moved_to", "forwarded_in").order_by("number")[
            :PANEL_PERSONS
        ]
    )
    counts = dict(case.persons.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    own_errors = errors if errors and errors.get("action") in PAGE_ACTIONS else None
    return {
        "persons": persons,
        "shown": len(persons),
        "counts": [(value, label, counts.get(value, 0)) for value, label in PersonState.choices],
        "forwards": list(case.forwards.select_related("addressee_region").order_by("id")),
        "forwarded_from": case.forwarded_from,
        "cities": _cities(case.addressee_region),
        "regions": list(Region.objects.provincial().exclude(pk=case.addressee_region_id)),
        "outcomes": Outcome.choices,
        "test_results": TestResult.choices,
        "can_assign": "assign_persons" in allowed,
        "can_reply": "reply_person" in allowed,
        "can_forward": "forward_persons" in allowed,
        "can_unmask": can_unmask(user) and case.personal_data_purged_at is None,
        "errors": own_errors,
        "submitted": submitted if own_errors else None,
    }


def _cities(region: Region) -> list[Region]:
    if region.level == Region.Level.MUNICIPALITY:
        return [region]
    return list(Region.objects.filter(parent=region).order_by("code"))


# --- the new-letter page ----------------------------------------------------------------------------

PERSON_FIELD = re.compile(r"^person-(\d+)-(\w+)$")


def typed_persons(post) -> list[dict]:
    rows: dict[int, dict] = {}
    for name, value in post.items():
        match = PERSON_FIELD.match(name)
        if match and match[2] in FIELDS and int(match[1]) < 1000:
            rows.setdefault(int(match[1]), {"index": int(match[1])})[match[2]] = value.strip()
    return [rows[index] for index in sorted(rows)]


def _filled(row: dict) -> bool:
    return any(row.get(name) for name in FIELDS)


@creator_required(RESOURCE)
def tracing_letter_new(request):
    from coordination.mechanisms.tracing_letters.api import TracingLetterCreateSerializer

    membership = membership_of(request.user)
    addressees = list(
        Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE)
        .exclude(region_id=membership.organisation.region_id)
        .exclude(region__isnull=True)
        .order_by("region_id")
    )
    values = {"index_case_status": IndexCaseStatus.CONFIRMED, "import_mode": ImportMode.ALL}
    rows = [{"index": i} for i in range(NEW_ROWS)]
    errors, report = {}, None
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "").strip()
            for name in ("title", "addressee", "index_case_status", "index_case_summary", "import_mode")
        }
        rows = typed_persons(request.POST) or rows
        if "add_row" in request.POST:
            rows.append({"index": rows[-1]["index"] + 1})
        else:
            filled = [row for row in rows if _filled(row)]
            body = {key: value for key, value in values.items() if value}
            upload = request.FILES.get("file")
            if upload is not None:
                body["file"] = upload
            elif filled:
                body["persons"] = [{k: v for k, v in row.items() if k != "index"} for row in filled]
            serializer = TracingLetterCreateSerializer(data=body, context={"request": request})
            try:
                serializer.is_valid(raise_exception=True)
                letter = tracing_letter_create(by=request.user, **serializer.validated_data)
            except ValidationError as exc:
                errors = {"fields": exc.detail}
            except DomainError as exc:
                errors = {"general": [str(exc.message)]}
                details = exc.details or {}
                if exc.error_code in ("invalid_rows",):
                    report = details
                elif exc.error_code == "bad_headers":
                    errors["general"].append(
                        _("Expected columns: %(c)s") % {"c": "、".join(details.get("expected", []))}
                    )
                elif isinstance(details.get("persons"), dict):
                    by_index = {str(i): row["index"] for i, row in enumerate(filled)}
                    for position, found in details["persons"].items():
                        for row in rows:
                            if row["index"] == by_index.get(position):
                                row["errors"] = found
                elif details:
                    errors["fields"] = details
            else:
                summary = _("Letter %(reference)s sent with %(n)s persons.") % {
                    "reference": letter.reference,
                    "n": letter.person_count,
                }
                if letter.import_report and letter.import_report["invalid"]:
                    summary += " " + _("%(n)s rows were not valid and were left out.") % {
                        "n": letter.import_report["invalid"]
                    }
                messages.success(request, summary)
                return redirect("case-detail", resource=RESOURCE, pk=letter.pk)
    return render(
        request,
        "tracing_letters/letter_form.html",
        {
            "values": values,
            "rows": rows,
            "fields": FIELDS,
            "errors": errors,
            "report": report,
            "addressees": addressees,
            "statuses": IndexCaseStatus.choices,
            "modes": [
                (ImportMode.ALL, _("Import nothing while any row is not valid")),
                (ImportMode.VALID_ROWS, _("Import the valid rows, leave out the others")),
            ],
        },
    )


# --- seeing the full numbers ----------------------------------------------------------------------


@never_cache
@login_required
@require_POST
def tracing_letter_unmask_page(request, pk: int):
    """The full numbers once, on a page that is not cached, after a stated reason (audited)."""
    from coordination.mechanisms.tracing_letters.api import client_ip, request_id_of
    from coordination.mechanisms.tracing_letters.services import tracing_letter_unmask

    letter = case_for_user(request.user, TracingLetter, pk)
    try:
        result = tracing_letter_unmask(
            by=request.user,
            pk=letter.pk,
            reason=request.POST.get("reason", ""),
            persons=_numbers(request.POST.get("persons", "")) or None,
            ip_address=client_ip(request),
            request_id=request_id_of(request),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("case-detail", resource=RESOURCE, pk=letter.pk)
    return render(request, "tracing_letters/unmasked.html", {"case": letter, "result": result})
