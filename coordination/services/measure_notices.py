from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coordination.errors import APIError
from coordination.models import MeasureNotice, Membership, Organisation, Participant, Region
from coordination.workflow.access import membership_of
from coordination.workflow.engine import TransitionContext, apply_transition, case_create

ISSUERS = {
    (Organisation.Kind.LIAISON_OFFICE, Membership.Role.LIAISON_OFFICER),
    (Organisation.Kind.COOPERATION_OFFICE, Membership.Role.COORDINATOR),
}


def can_issue_notice(user) -> bool:
    membership = membership_of(user)
    return membership is not None and (membership.organisation.kind, membership.role) in ISSUERS


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
    """A region (or the Office) issues a notice to the others; each addressee gets a receipt."""
    if not can_issue_notice(by):
        raise PermissionDenied
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
        raise APIError("invalid", _("Only an issued notice of your own can be superseded."))
    with transaction.atomic():
        old = MeasureNotice.objects.select_for_update().get(pk=old.pk)
        ctx = TransitionContext(by=by, organisation=new.originator, comment=new.reference)
        return apply_transition(old, old.supersede, "supersede", ctx, payload={"superseded_by": new.reference})


def measures_in_force(queryset, *, on: date, region: Region | None = None):
    """The notices of `queryset` in force on a date — issued or closed by acknowledgement, not
    withdrawn, effective on that day — and, given a city or province, those that concern it:
    addressed to it (or its province) in `affected_regions`, issued by its region, or with no
    affected regions named (they concern the issuing region)."""
    in_force = (
        queryset.filter(effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .exclude(state__in=[MeasureNotice.S.WITHDRAWN, MeasureNotice.S.SUPERSEDED])
    )
    if region is None:
        return in_force
    province = region.province
    places = {region.code, province.code}
    return in_force.filter(
        Q(affected_regions__code__in=places) | Q(affected_regions__isnull=True, originator__region_id=province.code)
    ).distinct()
