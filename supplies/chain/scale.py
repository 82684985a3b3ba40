"""Scale data of F2 supply-chain requests (`manage.py generate_scale_data --supply-chain N`):
liaison offices filing their enterprises' needs to suppliers' cities in other regions over the
span, routed as the create service routes them, in every request–reply state (most old ones
closed, recent ones open), created and answered through the engine."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coordination.models import Organisation, Participant, Region
from coordination.workflow.engine import Firing, NewCase, cases_create_many, transitions_fire_each
from supplies.chain.models import SupplyChainRequest
from supplies.chain.routing import routing_for
from supplies.chain.validation import uscc_check_character

Role = Participant.Role

# Final state → the transitions from "submitted" that lead there, each fired by the
# originator ("o") or the responsible office ("r").
PATHS = {
    "submitted": [],
    "accepted": [("accept", "r")],
    "returned": [("return_for_correction", "r")],
    "replied": [("accept", "r"), ("reply", "r")],
    "closed": [("accept", "r"), ("reply", "r"), ("close", "o")],
    "refused": [("refuse", "r")],
    "withdrawn": [("withdraw", "o")],
}
RECENT = {"submitted": 30, "accepted": 25, "returned": 6, "replied": 20, "closed": 12, "refused": 3, "withdrawn": 4}
OLD = {"submitted": 1, "accepted": 1, "returned": 1, "replied": 3, "closed": 86, "refused": 4, "withdrawn": 4}
REASONS = {
    "return_for_correction": {"reason": "请补充所需零部件的规格型号及图纸编号。"},
    "refuse": {"reason": "本地暂无该类产品生产企业，建议转请其他地区协助。"},
    "withdraw": {"reason": "企业已通过其他渠道解决货源。"},
}
# (the part, its HS code, unit, the product line it stops)
NEEDS = [
    ("汽车线束总成", "854430", "套", "整车总装线"),
    ("车规级芯片", "854231", "片", "车身控制模块装配线"),
    ("熔喷布", "560313", "吨", "医用口罩生产线"),
    ("注塑模具配件", "848071", "套", "家电外壳注塑车间"),
    ("轴承", "848210", "件", "电机装配线"),
    ("液晶面板", "901380", "片", "显示器组装线"),
    ("聚丙烯粒料", "390210", "吨", "无纺布生产线"),
]


def generate(count: int, *, rng, world):
    """`count` requests over the world's span, a batch per slot (one `cases_create_many` per
    filing office at its moment, then every transition of the slot's requests in one
    `transitions_fire_each`, all in one transaction); yields each batch's requests."""
    offices = world.of_kind(Organisation.Kind.LIAISON_OFFICE)
    cities = list(Region.objects.cities().select_related("parent").order_by("code"))
    routings = {city.code: routing_for(city) for city in cities}
    cities = [city for city in cities if routings[city.code] is not None]
    fate = world.coverage(PATHS, count)
    for first, until, size in world.slots(count):
        by_originator: dict[Organisation, list[Region]] = {}
        for _ in range(size):
            originator = rng.choice(offices)
            city = rng.choice([city for city in cities if city.province.code != originator.region_id])
            by_originator.setdefault(originator, []).append(city)
        moments = {originator: world.moment(rng, first, until) for originator in by_originator}
        created, firings = [], []
        with transaction.atomic():
            for originator in sorted(by_originator, key=lambda office: (moments[office], office.code)):
                at = moments[originator]
                plans = [
                    (city, fate(world.weighted(rng, RECENT if world.age_days(at) < 3 else OLD)))
                    for city in by_originator[originator]
                ]
                requests = cases_create_many(
                    SupplyChainRequest,
                    [new_request(rng, originator, city, routings[city.code], at) for city, _state in plans],
                    by=world.user(originator),
                    now=at,
                )
                for request, (city, state) in zip(requests, plans, strict=True):
                    t = at
                    responder = routings[city.code].responder
                    for name, who in PATHS[state]:
                        t = world.at_most_now(t + timedelta(minutes=rng.randrange(30, 1440)))
                        actor = world.user(originator if who == "o" else responder)
                        firings.append(Firing(request, name, actor, payload(name, request), now=t))
                created += requests
            # In time order (stable: each request's own steps stay in theirs).
            transitions_fire_each(SupplyChainRequest, sorted(firings, key=lambda firing: firing.now))
        yield created


generate.flag = "supply-chain"  # manage.py generate_scale_data --supply-chain N


def payload(name: str, request: SupplyChainRequest) -> dict:
    if name != "reply":
        return REASONS.get(name, {})
    # A reply's resumption date is never before the day it is checked (the payload's rule, which
    # the bulk path applies too): today, for replies of any age.
    return {
        "suppliers": [
            {
                "name": request.supplier_name or f"{request.supplier_city.name_zh}某制造企业",
                "city": request.supplier_city_id,
                "quantity": format(request.quantity.normalize(), "f"),
                "resumption_date": timezone.localdate().isoformat(),
            }
        ],
        "result": "供应企业已复工，已协调物流按期供货。",
    }


def new_request(rng, originator: Organisation, city: Region, routing, at) -> NewCase:
    part, hs_code, unit, line = rng.choice(NEEDS)
    first17 = f"91{originator.region_id}MA{rng.randrange(10**6):06d}0"
    participants = [(routing.responder, Role.RESPONDER)]
    if routing.observer is not None:
        participants.append((routing.observer, Role.OBSERVER))
    return NewCase(
        title=f"{originator.region.abbr}企业急需{city.name_zh}{part}",
        participants=participants,
        fields={
            "requester_name": f"{originator.region.name_zh}某制造企业",
            "requester_credit_code": first17 + uscc_check_character(first17),
            "hs_code": hs_code,
            "product_description": part,
            "quantity": Decimal(rng.randrange(1, 500) * 10),
            "unit": unit,
            "needed_by": (at + timedelta(days=rng.randrange(2, 15))).date(),
            "blocked_production": f"{line}停产",
            "employees_affected": rng.randrange(20, 2000),
            "supplier_name": f"{city.name_zh}某配套企业" if rng.random() < 0.5 else "",
            "supplier_city": city,
            "requester_region_id": originator.region_id,
            "supplier_region": city.province,
            "contact_person": "联络人",
            "contact_phone": f"139{rng.randrange(10**8):08d}",
        },
    )
