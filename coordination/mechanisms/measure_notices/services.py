"""Write services of notices between regions (M3, M7, F4, F5), and the circular each issues."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from coordination.errors import DomainError
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.models import Organisation, Participant, Region
from coordination.workflow.access import membership_of
from coordination.workflow.engine import case_create, system_transition_fire


def default_addressees(issuer: Organisation) -> list[Organisation]:
    """The other regions' liaison offices and the Regional Cooperation Office."""
    offices = Organisation.objects.filter(
        kind__in=[Organisation.Kind.LIAISON_OFFICE, Organisation.Kind.COOPERATION_OFFICE]
    ).exclude(pk=issuer.pk)
    if issuer.region_id:
        offices = offices.exclude(region_id=issuer.region_id)
    return list(offices.order_by("region_id", "code"))


def measure_notice_issue(
    *,
    by,
    mechanism: str,
    category: str,
    title: str,
    summary: str,
    body: str,
    effective_from: date,
    effective_until: date | None = None,
    affected_regions: list[Region] = (),
    contact_officer: str = "",
    addressees: list[Organisation] | None = None,
    time_limit: timedelta | None = None,
    supersedes: MeasureNotice | None = None,
) -> MeasureNotice:
    """A region (or the Office) issues a notice to the others; each addressee gets a receipt.
    Who may: the declaration's `may_create`, which `case_create` checks."""
    issuer = membership_of(by).organisation
    addressees = addressees or default_addressees(issuer)
    notice = case_create(
        MeasureNotice,
        by=by,
        mechanism_code=mechanism,
        title=title,
        category=category,
        summary=summary,
        body=body,
        effective_from=effective_from,
        effective_until=effective_until,
        contact_officer=contact_officer,
        time_limit=time_limit,
        supersedes=supersedes,
        participants=[(org, Participant.Role.ADDRESSEE) for org in addressees],
    )
    notice.affected_regions.set(affected_regions)
    if supersedes is not None:
        measure_notice_supersede(old=supersedes, new=notice, by=by)
    return notice


def measure_notice_supersede(*, old: MeasureNotice, new: MeasureNotice, by) -> MeasureNotice:
    """The issuer replaces an issued notice by a new one: the old one moves to "superseded"
    by a system transition (audited with the new notice's reference; addressees are told)."""
    if old.originator_id != new.originator_id or old.state != MeasureNotice.S.ISSUED:
        raise DomainError("invalid", _("Only an issued notice of your own can be superseded."))
    with transaction.atomic():
        old = MeasureNotice.objects.select_for_update().get(pk=old.pk)
        return system_transition_fire(
            old,
            "supersede",
            by=by,
            organisation=new.originator,
            comment=new.reference,
            payload={"superseded_by": new.reference},
        )


def circular_fields(notice) -> dict:
    """The official circular issued with the notice (notices/circulars): the addressees
    as 主送, the Regional Cooperation Office as 抄送 when it is not an addressee. The case's
    reference and category are the platform's, not the document's: they are not printed."""
    addressees = [
        p.organisation
        for p in notice.participants.filter(role=Participant.Role.ADDRESSEE)
        .select_related("organisation")
        .order_by("organisation__region_id", "organisation__code")
    ]
    office = Organisation.objects.filter(kind=Organisation.Kind.COOPERATION_OFFICE).first()
    main = [o for o in addressees if o != office]
    return {
        "title": notice.title,
        "body": notice.body,
        "addressees": addressees,
        "addressee_line": "、".join(o.name_zh for o in (main or addressees)),
        "copy_to": office.name_zh if office and office in addressees and main else "",
    }
