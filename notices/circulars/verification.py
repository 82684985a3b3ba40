"""Circulars in the one verification (coordination/verification): found by the short code
printed beside their QR code, by the SHA-256 of their PDF, or by their content digest."""

from django.db.models import Q

from coordination import verification
from notices.circulars.selectors import can_see_circular
from notices.models.circulars import Circular


def find_circular(token: str, user) -> verification.Record | None:
    from notices.circulars.services import display_code, download_path

    circulars = Circular.objects.filter(status=Circular.Status.ISSUED).select_related("issuer")
    if verification.HEX_RE.match(token):
        circulars = circulars.filter(Q(sha256=token) | Q(content_sha256=token))
    else:
        circulars = circulars.filter(verification_code=token)
    circular = circulars.first()
    if circular is None:
        return None
    replacement = circular.superseded_by.filter(status=Circular.Status.ISSUED).order_by("issued_at").first()
    status = "revoked" if circular.revoked_at else "superseded" if replacement else "valid"
    visible = user is not None and user.is_authenticated and can_see_circular(user, circular)
    return verification.Record(
        kind_zh="通知",
        kind_en="circular",
        title=circular.title,
        number=circular.document_number,
        issuer_zh=circular.issuer.name_zh,
        issuer_en=circular.issuer.name_en,
        issued_at=circular.issued_at,
        sha256=circular.sha256,
        code=display_code(circular.verification_code or ""),
        status=status,
        superseded_by=replacement.document_number if replacement else "",
        revoked_at=circular.revoked_at,
        revocation_reason=circular.revocation_reason,
        download_url=download_path(circular) if visible else None,
    )
