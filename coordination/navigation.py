"""What the navigation offers a user, read from the registry: the mechanisms they may create
cases of or take part in, their registers, and the pages the mechanisms declare (`links`)."""

from dataclasses import dataclass

from django.db.models import Exists
from django.urls import reverse

from coordination.models import Membership
from coordination.workflow import mechanisms
from coordination.workflow.access import membership_of, visibility_filter


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    url_name: str


def mechanisms_of(user) -> list[type[mechanisms.Mechanism]]:
    """The registered mechanisms the user may create cases of, or of which they can see a case:
    one query, an indexed EXISTS per mechanism (cached on the user object for the request)."""
    cached = getattr(user, "_mechanisms_of", None)
    if cached is not None:
        return cached
    membership = membership_of(user)
    if membership is None:
        return []
    declarations = mechanisms.registered()
    to_ask = [d for d in declarations if not d.may_create(membership)]
    seen = {}
    if to_ask:
        row = (
            Membership.objects.filter(pk=membership.pk)
            .annotate(
                **{
                    f"m{index}": Exists(d.model.objects.filter(visibility_filter(user, d.model)))
                    for index, d in enumerate(to_ask)
                }
            )
            .values(*[f"m{index}" for index in range(len(to_ask))])
            .get()
        )
        seen = {d: row[f"m{index}"] for index, d in enumerate(to_ask)}
    found = [d for d in declarations if seen.get(d, True)]
    user._mechanisms_of = found
    return found


def navigation_for(user) -> dict:
    relevant = mechanisms_of(user)
    membership = membership_of(user)
    links = [
        NavLink(reverse(link.url_name), str(link.label), link.url_name)
        for declaration in relevant
        for link in declaration.links
        if link.who(membership)
    ]
    return {
        "nav_links": links,
        "nav_first_register": relevant[0].resource if relevant else None,
    }
