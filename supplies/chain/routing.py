"""Where an F2 request goes: to the liaison office of the supplier's city when that city runs
one, the province's liaison office observing; otherwise to the province's liaison office.

A provincial liaison office is of kind `liaison_office`; a city's own office is of kind
`city_liaison_office`, located in its city (`Organisation.city`).
"""

from dataclasses import dataclass

from coordination.models import Organisation, Region


@dataclass(frozen=True)
class Routing:
    responder: Organisation
    observer: Organisation | None  # the provincial office, when a city office answers


def provincial_liaison_office(region: Region) -> Organisation | None:
    return Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE, region=region).order_by("id").first()


def routing_for(city: Region) -> Routing | None:
    """The offices a request to a supplier in `city` goes to (None: its region has no liaison
    office on the platform)."""
    province = city.province
    provincial = provincial_liaison_office(province)
    if provincial is None:
        return None
    city_office = (
        Organisation.objects.filter(kind=Organisation.Kind.CITY_LIAISON_OFFICE, region=province, city=city)
        .order_by("id")
        .first()
    )
    if city_office is None:
        return Routing(responder=provincial, observer=None)
    return Routing(responder=city_office, observer=provincial)
