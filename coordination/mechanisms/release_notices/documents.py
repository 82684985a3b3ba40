"""A release notice as a PDF (健康观察解除告知单): rendered on download through the registered
official-document renderer, in Chinese, with a QR code carrying the signed credential itself —
the credential is what is verified, so the PDF needs no signature of its own."""

from django.utils import timezone, translation

from coordination.mechanisms.release_notices.models import ReleaseNotice

TEMPLATE = "release_notices/notice.html"
KIND_ZH = "健康观察解除告知单"
TYPE_WIDTH_PT = 156 * 72 / 25.4  # GB/T 9704's type area, 156 mm
MARK_MAX_PT = 26.0
STATE_NOTES = {ReleaseNotice.S.REVOKED: "（已撤销）", ReleaseNotice.S.EXPIRED: "（已过期）"}


def _date_zh(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def release_notice_context(notice: ReleaseNotice) -> dict:
    from coordination import documents

    issuer = notice.originator
    with translation.override("zh-hans"):
        return {
            "notice": notice,
            "issuer": issuer,
            "kind": KIND_ZH,
            "pitch": "28.000pt",  # GB/T 9704's line pitch (22 lines of 16 pt FangSong on 225 mm)
            "mark_size": f"{min(MARK_MAX_PT, TYPE_WIDTH_PT * 0.96 / max(len(issuer.name_zh), 1)):.3f}pt",
            "person_name": notice.person_name_masked,
            "id_type": "身份证号" if notice.id_type == ReleaseNotice.IdentityDocument.RESIDENT_ID else "护照号码",
            "id_number": notice.id_number_masked,
            "observation_kind": str(notice.get_observation_kind_display()),
            "observation_start": _date_zh(notice.observation_start),
            "observation_end": _date_zh(notice.observation_end),
            "destination": notice.destination_region.name_zh if notice.destination_region_id else "",
            "expires_on": _date_zh(timezone.localtime(notice.expires_at)),
            "issued_on": _date_zh(timezone.localtime(notice.issued_at or notice.created_at)),
            "state_note": STATE_NOTES.get(notice.state, ""),
            "qr_svg": documents.qr_svg(notice.token),
        }


def release_notice_pdf_for(user, pk, *, channel: str) -> tuple[ReleaseNotice, bytes]:
    """The notice and its PDF for a user who sees it (404 otherwise), the opening recorded as
    every opening of a notice is (its personal data is on the page)."""
    from coordination.workflow.opening import case_open

    notice = case_open(user, ReleaseNotice, pk, read=channel == "page", channel=channel)
    return notice, release_notice_pdf(notice)


def release_notice_pdf(notice: ReleaseNotice) -> bytes:
    from coordination import documents

    with translation.override("zh-hans"):
        return documents.renderer().render_template(TEMPLATE, release_notice_context(notice)).pdf
