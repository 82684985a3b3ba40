"""The inbox side of CIRCULAR_SIGN_OFF: a draft submitted for sign-off reaches the issuing
organisation's signers (office heads and leaders); a returned draft, its drafter; a sign-off
that is late (补签 of an emergency issued first), the signers and leaders as an escalation."""

from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notices.models import Notice, NoticeKind
from notices.services import notices_deliver

MESSAGES = {
    "awaiting": (NoticeKind.SIGN_OFF, gettext_noop("Awaiting your sign-off: %(title)s")),
    "returned": (NoticeKind.SIGN_OFF, gettext_noop("Draft returned to you: %(title)s")),
    "overdue": (NoticeKind.DEADLINE_ESCALATED, gettext_noop("Sign-off overdue: %(number)s %(title)s")),
}


def recipients_of(payload: dict) -> list[int]:
    from notices.circulars.services import SIGNER_ROLES

    users = get_user_model().objects.filter(is_active=True)
    if payload["step"] == "returned":
        ids = users.filter(pk=payload["drafter"]).values_list("pk", flat=True)
    else:
        ids = users.filter(
            membership__organisation_id=payload["issuer"], membership__role__in=SIGNER_ROLES
        ).values_list("pk", flat=True)
    return [pk for pk in ids if pk != payload.get("actor")]


def notices_for_sign_off(event) -> list[Notice]:
    """In-transaction subscriber of CIRCULAR_SIGN_OFF (see notices/apps.py)."""
    p = event.payload
    kind, message = MESSAGES[p["step"]]
    texts = {"link": p["link"], "reference": (p["document_number"] or "")[:32]}
    for language, suffix in (("zh-hans", "zh"), ("en", "en")):
        with translation.override(language):
            texts[f"title_{suffix}"] = (_(message) % {"number": p["document_number"], "title": p["title"]})[:300]
            texts[f"body_{suffix}"] = ""
    return notices_deliver(
        recipient_ids=recipients_of(p),
        kind=kind,
        texts=texts,
        content_type_id=event.content_type_id,
        object_id=event.object_id,
        source_event_id=event.pk,
    )
