"""Circulars that cases issue: a mechanism whose declaration names a `circular` (case → the
circular's fields) gets its official document in the transaction that creates the case, and
a new one, replacing it, whenever the case is amended. The declaration's `sign_off` says
whether it waits for the office head's sign-off (the default) or goes out at once (补签)."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from coordination.workflow import mechanisms
from notices.circulars.services import circular_issue
from notices.models import Circular

# Transitions that change what a case's circular says: each issues a new, numbered document.
AMENDING_TRANSITIONS = {"amend"}


def _issue_for(event, *, supersedes: Circular | None = None):
    declaration = mechanisms.for_model(apps.get_model(event.payload["model"]))
    if declaration.circular is None or not event.payload.get("actor"):
        return None
    case = declaration.model.objects.get(pk=event.payload["id"])
    by = get_user_model().objects.get(pk=event.payload["actor"])
    return circular_issue(
        by=by,
        case=case,
        sign_off=declaration.sign_off_for(case.mechanism_id),
        supersedes=supersedes,
        **declaration.circular(case),
    )


def _latest_issued(model, pk) -> Circular | None:
    return (
        Circular.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=pk, status=Circular.Status.ISSUED
        )
        .order_by("-issued_at", "-id")
        .first()
    )


def circular_for_new_case(event):
    """In-transaction subscriber of CASE_CREATED (see notices/apps.py). A case that replaces
    another (a superseding notice) names the other's circular as the one it replaces."""
    model = apps.get_model(event.payload["model"])
    if mechanisms.for_model(model).circular is None:
        return None
    replaced = getattr(model.objects.filter(pk=event.payload["id"]).first(), "supersedes", None)
    previous = _latest_issued(type(replaced), replaced.pk) if replaced is not None else None
    return _issue_for(event, supersedes=previous)


def circular_for_amended_case(event):
    """In-transaction subscriber of CASE_TRANSITIONED: an amendment issues a new circular
    naming the issued one it replaces."""
    if event.payload.get("transition") not in AMENDING_TRANSITIONS:
        return None
    model = apps.get_model(event.payload["model"])
    if mechanisms.for_model(model).circular is None:
        return None
    return _issue_for(event, supersedes=_latest_issued(model, event.payload["id"]))


def circulars_of_case(case, user) -> list[dict]:
    """Document provider for the case page (coordination/documents.py)."""
    from notices.circulars.selectors import visible_circulars
    from notices.circulars.services import download_path

    circulars = (
        visible_circulars(user)
        .filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk)
        .order_by("created_at")
    )
    return [
        {
            "title": c.title,
            "number": c.document_number or "",
            "status": c.get_status_display(),
            "url": download_path(c) if c.status == Circular.Status.ISSUED else None,
            "page": reverse("circular-page", args=[c.pk]),
        }
        for c in circulars
    ]
