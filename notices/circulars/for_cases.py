"""Circulars that cases issue as they are created: a mechanism whose model defines
`circular_fields()` gets its official document in the transaction that creates the case."""

from django.apps import apps
from django.contrib.auth import get_user_model

from notices.circulars.services import circular_issue


def circular_for_new_case(event):
    """In-transaction subscriber of CASE_CREATED (see notices/apps.py)."""
    model = apps.get_model(event.payload["model"])
    if not hasattr(model, "circular_fields") or not event.payload.get("actor"):
        return None
    case = model.objects.get(pk=event.payload["id"])
    by = get_user_model().objects.get(pk=event.payload["actor"])
    return circular_issue(by=by, case=case, **case.circular_fields())


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
