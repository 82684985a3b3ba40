"""Circulars that cases issue as they are created: a mechanism whose declaration names a
`circular` (case → the circular's fields) gets its official document in the transaction that
creates the case."""

from django.apps import apps
from django.contrib.auth import get_user_model

from coordination.workflow import mechanisms
from notices.circulars.services import circular_issue


def circular_for_new_case(event):
    """In-transaction subscriber of CASE_CREATED (see notices/apps.py)."""
    declaration = mechanisms.for_model(apps.get_model(event.payload["model"]))
    if declaration.circular is None or not event.payload.get("actor"):
        return None
    case = declaration.model.objects.get(pk=event.payload["id"])
    by = get_user_model().objects.get(pk=event.payload["actor"])
    return circular_issue(by=by, case=case, **declaration.circular(case))


def circulars_of_case(case, user) -> list[dict]:
    """Document provider for the case page (coordination/documents.py)."""
    from django.contrib.contenttypes.models import ContentType

    from notices.circulars.selectors import visible_circulars
    from notices.circulars.services import download_path
    from notices.models import Circular

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
        }
        for c in circulars
    ]
