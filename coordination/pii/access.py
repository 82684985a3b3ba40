"""Recording every access to a case's personal data (PersonalDataAccess)."""

from django.contrib.contenttypes.models import ContentType

from coordination.pii.models import PersonalDataAccess
from coordination.workflow.access import membership_of

Action = PersonalDataAccess.Action


def personal_data_access_record(case, *, by, action: str, reason: str = "") -> PersonalDataAccess:
    membership = membership_of(by)
    return PersonalDataAccess.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        user=by,
        organisation=membership.organisation if membership else None,
        action=action,
        reason=reason[:500],
    )


def personal_data_accesses(case):
    return PersonalDataAccess.objects.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk)
