"""The inbox side of DOCUMENT_READY: when a case's document (a filing's receipt, an opinion…)
is stored, the organisations the event names are told it is ready to download."""

from django.utils import translation
from django.utils.translation import gettext as _

from coordination.workflow.audience import event_audience
from notices.models import Notice, NoticeKind
from notices.services import notices_deliver


def notices_for_document_ready(event) -> list[Notice]:
    """In-transaction subscriber of DOCUMENT_READY (see notices/apps.py): one "document ready"
    notice per member of the organisations in the event's `notify_roles`."""
    p = event.payload
    texts = {"link": p["link"], "reference": p["reference"][:32]}
    for language, suffix in (("zh-hans", "zh"), ("en", "en")):
        with translation.override(language):
            title = _("%(document)s ready: %(reference)s %(title)s")
            document = p.get(f"document_{suffix}") or _("Document")
            document = document[:1].upper() + document[1:]
            texts[f"title_{suffix}"] = (
                title % {"document": document, "reference": p["reference"], "title": p["title"]}
            )[:300]
            texts[f"body_{suffix}"] = _("The document can be downloaded and printed now.")
    return notices_deliver(
        recipient_ids=event_audience(event),
        kind=NoticeKind.PDF_READY,
        texts=texts,
        content_type_id=event.content_type_id,
        object_id=event.object_id,
        source_event_id=event.pk,
    )
