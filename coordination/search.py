"""Search across every mechanism the user can see: by reference number, title, organisation
(originating or taking part) and city. One query per case model, limited per model."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from coordination.models import Case, Participant, Region
from coordination.workflow import mechanisms
from coordination.workflow.access import visible_cases

MIN_QUERY = 2
LIMIT_PER_MODEL = 50


@dataclass(frozen=True)
class SearchHit:
    case: Case
    label: str
    kind: str


def _match(model, text: str) -> Q:
    city_codes = list(
        Region.objects.filter(Q(name_zh__icontains=text) | Q(name_en__icontains=text) | Q(code=text)).values_list(
            "code", flat=True
        )[:50]
    )
    org = Q(organisation__name_zh__icontains=text) | Q(organisation__name_en__icontains=text)
    if city_codes:
        org |= Q(organisation__city_id__in=city_codes) | Q(organisation__region_id__in=city_codes)
    participants = Participant.objects.filter(
        org, content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    return Q(reference__icontains=text) | Q(title__icontains=text) | Q(Exists(participants))


def search_cases(user, text: str) -> tuple[list[SearchHit], bool]:
    """Hits newest first, and whether some model had more than the limit."""
    text = text.strip()
    if len(text) < MIN_QUERY:
        return [], False
    hits, truncated = [], False
    for declaration in mechanisms.registered():
        model, label = declaration.model, declaration.resource
        found = list(
            visible_cases(user, model)
            .filter(_match(model, text))
            .select_related("mechanism", "originator")
            .order_by("-created_at", "-id")[: LIMIT_PER_MODEL + 1]
        )
        truncated |= len(found) > LIMIT_PER_MODEL
        hits.extend(SearchHit(case=c, label=label, kind=model._meta.verbose_name) for c in found[:LIMIT_PER_MODEL])
    hits.sort(key=lambda h: h.case.created_at, reverse=True)
    return hits, truncated
