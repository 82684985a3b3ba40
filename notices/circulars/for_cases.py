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
