"""The inbox side of insurance-filing receipts (备案回执): when a receipt's PDF is stored, the
filing hospital's members are told it is ready to download."""

from django.utils import translation
from django.utils.translation import gettext as _

from coordination.workflow.audience import event_audience
from notices.models import Notice, NoticeKind
from notices.services import notices_deliver


def notices_for_filing_receipt(event) -> list[Notice]:
    """In-transaction subscriber of RECEIPT_READY (coordination/services/insurance.py; see
    notices/apps.py): one "document ready" notice per member of the filing hospital."""
    p = event.payload
    texts = {"link": p["receipt"], "reference": p["reference"][:32]}
    for language, suffix in (("zh-hans", "zh"), ("en", "en")):
        with translation.override(language):
            title = _("Filing receipt ready: %(reference)s %(title)s")
            texts[f"title_{suffix}"] = (title % {"reference": p["reference"], "title": p["title"]})[:300]
            texts[f"body_{suffix}"] = _("The receipt can be downloaded and printed now.")
    return notices_deliver(
        recipient_ids=event_audience(event),
        kind=NoticeKind.PDF_READY,
        texts=texts,
        content_type_id=event.content_type_id,
        object_id=event.object_id,
        source_event_id=event.pk,
    )
