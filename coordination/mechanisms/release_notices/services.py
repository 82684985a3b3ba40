"""Write services of M2 release notices: issue (the case and its signed credential), unmask
(audited). Revocation and expiry are the credential pattern's transitions."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from coordination.mechanisms.release_notices.models import ReleaseNotice
from coordination.models import Region
from coordination.pii import idcard
from coordination.pii.access import Action, personal_data_access_record
from coordination.workflow.access import case_for_user, case_perms
from coordination.workflow.engine import case_create
from coordination.workflow.patterns.credential import credential_issue

UNMASK_PERMISSION = "release_notices.unmask_releasenotice"


def release_notice_issue(
    *,
    by,
    person_name: str,
    id_number: str,
    observation_kind: str,
    observation_start,
    observation_end,
    observation_place: str,
    expires_at: datetime,
    id_type: str = ReleaseNotice.IdentityDocument.RESIDENT_ID,
    destination_region: Region | None = None,
) -> ReleaseNotice:
    """The observing region releases a person: the notice and, in the same transaction, its
    credential signed with the issuer's key. Who may: the declaration's `may_create`."""
    with transaction.atomic():
        notice = case_create(
            ReleaseNotice,
            by=by,
            title=f"{idcard.mask_name(person_name)} · {observation_end.isoformat()}",
            person_name=person_name,
            id_type=id_type,
            id_number=id_number,
            observation_kind=observation_kind,
            observation_start=observation_start,
            observation_end=observation_end,
            observation_place=observation_place,
            destination_region=destination_region,
            expires_at=expires_at,
        )
        return credential_issue(notice)


def can_unmask(user, notice) -> bool:
    return "originate" in case_perms(user, notice) and user.has_perm(UNMASK_PERMISSION)


def release_notice_unmask(*, by, pk, reason: str) -> dict:
    """The full ID number, for a member of the issuing organisation with the unmask permission,
    who states why; recorded with the reason. Invisible → 404, visible without it → 403."""
    with transaction.atomic():
        notice = case_for_user(by, ReleaseNotice, pk)
        if not can_unmask(by, notice):
            raise PermissionDenied
        personal_data_access_record(notice, by=by, action=Action.UNMASK, reason=reason)
        return {"id_number": notice.id_number}
