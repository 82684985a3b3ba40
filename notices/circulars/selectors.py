"""Who sees a circular: the one access helper (`circular_for_user`) and the list selector.

A circular not yet numbered (a draft, one awaiting sign-off) is seen by its issuing
organisation only. A numbered circular that belongs to a case is visible to whoever can see the case (coordination's
`visible_cases`, so the Office and regional leaders see what they see there); a circular
without a case is visible to its issuing organisation and its addressee organisations.
Anybody else gets 404: a circular's existence is not leaked.
"""

import functools

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from coordination.models import Case
from coordination.workflow.access import membership_of, visible_cases
from notices.models.circulars import PUBLISHED_STATUSES, Circular


@functools.cache
def case_models() -> tuple:
    return tuple(model for model in apps.get_models() if issubclass(model, Case))


def circular_visibility_filter(user) -> Q:
    membership = membership_of(user)
    if membership is None:
        return Q(pk__in=[])
    organisation_id = membership.organisation_id
    # Before it is numbered, a circular is its issuing organisation's alone.
    published = Q(status__in=PUBLISHED_STATUSES) | Q(issuer_id=organisation_id)
    addressed = Circular.addressees.through.objects.filter(circular_id=OuterRef("pk"), organisation_id=organisation_id)
    visible = Q(content_type__isnull=True) & (Q(issuer_id=organisation_id) | Q(Exists(addressed)))
    for model in case_models():
        visible |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=visible_cases(user, model).values("pk"),
        )
    return visible & published


def visible_circulars(user):
    return Circular.objects.filter(circular_visibility_filter(user))


def circular_for_user(user, pk, *, lock: bool = False) -> Circular:
    """The circular if the user may see it, else Http404."""
    queryset = visible_circulars(user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.select_related("issuer").get(pk=pk)
    except (Circular.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_circular(user, circular: Circular) -> bool:
    return visible_circulars(user).filter(pk=circular.pk).exists()
