"""Scale data of M3 assignment sheets (`manage.py generate_scale_data --sheets N`): liaison offices
assigning matters to each other's offices over the span, in every request–reply state (most
old ones closed, recent ones still open), created and answered through the engine."""

from datetime import timedelta

from django.db import transaction

from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.models import Organisation, Participant
from coordination.workflow.engine import Firing, NewCase, cases_create_many, transitions_fire_each

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
# The states of sheets created in the last three days, and of older ones.
RECENT = {"submitted": 30, "accepted": 25, "returned": 8, "replied": 20, "closed": 10, "refused": 3, "withdrawn": 4}
OLD = {"submitted": 1, "accepted": 1, "returned": 1, "replied": 3, "closed": 86, "refused": 4, "withdrawn": 4}
PAYLOADS = {
    "reply": {"result": "已协调办结，相关人员与车辆已按约定放行。"},
    "return_for_correction": {"reason": "请补充车辆号牌、驾驶员信息及运输时段。"},
    "refuse": {"reason": "该事项不属于我省职责范围，请转交相关地区。"},
    "withdraw": {"reason": "事项已由两地现场协调解决。"},
}
# (title, matter) of the matters assigned: {o}/{r} the two regions, {n} a number.
MATTERS = [
    ("核查跨省通勤人员健康码", "请{r}方面协助核查{n}名跨省通勤人员的健康码状态及14天行程，以便两地互认。"),
    ("放行防疫物资运输车辆", "请{r}方面对持{o}通行证的{n}辆防疫物资运输车辆予以放行，并在道口开辟绿色通道。"),
    ("协查密切接触者", "请{r}方面协助追踪{n}名密切接触者的落脚点，落实集中隔离医学观察措施并反馈结果。"),
    ("对接返岗包车", "{o}{n}家企业组织员工包车返岗，请{r}方面协助做好始发地健康核验与点对点运输衔接。"),
    ("互认核酸检测结果", "请{r}方面确认{o}出具的{n}份核酸检测报告可予互认，免于重复检测。"),
]


def generate(count: int, *, rng, world):
    """`count` sheets over the world's span, a batch per slot (one `cases_create_many` per
    originating office at its moment, then every transition of the slot's sheets in one
    `transitions_fire_each`, all in one transaction); yields each batch's sheets."""
    offices = world.of_kind(Organisation.Kind.LIAISON_OFFICE)
    fate = world.coverage(PATHS, count)
    for first, until, size in world.slots(count):
        by_originator: dict[Organisation, list] = {}
        for _ in range(size):
            originator = rng.choice(offices)
            responder = rng.choice([office for office in offices if office != originator])
            by_originator.setdefault(originator, []).append(responder)
        moments = {originator: world.moment(rng, first, until) for originator in by_originator}
        created, firings = [], []
        with transaction.atomic():
            for originator in sorted(by_originator, key=lambda office: (moments[office], office.code)):
                at = moments[originator]
                plans = [
                    (responder, fate(world.weighted(rng, RECENT if world.age_days(at) < 3 else OLD)))
                    for responder in by_originator[originator]
                ]
                sheets = cases_create_many(
                    AssignmentSheet,
                    [new_sheet(rng, originator, responder, at) for responder, _state in plans],
                    by=world.user(originator),
                    now=at,
                )
                for sheet, (responder, state) in zip(sheets, plans, strict=True):
                    t = at
                    for name, who in PATHS[state]:
                        t = world.at_most_now(t + timedelta(minutes=rng.randrange(10, 600)))
                        actor = world.user(originator if who == "o" else responder)
                        firings.append(Firing(sheet, name, actor, PAYLOADS.get(name, {}), now=t))
                created += sheets
            # In time order (stable: each sheet's own steps stay in theirs).
            transitions_fire_each(AssignmentSheet, sorted(firings, key=lambda firing: firing.now))
        yield created


generate.flag = "sheets"  # manage.py generate_scale_data --sheets N


def new_sheet(rng, originator: Organisation, responder: Organisation, at) -> NewCase:
    title, matter = rng.choice(MATTERS)
    regions = {"o": originator.region.name_zh, "r": responder.region.name_zh, "n": rng.randrange(2, 40)}
    return NewCase(
        title=f"{title}（{originator.region.abbr}→{responder.region.abbr}）",
        participants=[(responder, Participant.Role.RESPONDER)],
        fields={
            "matter": matter.format(**regions),
            # A third of the requests name a date for the reply.
            "reply_due": at + timedelta(days=rng.choice((1, 2, 3))) if rng.random() < 0.3 else None,
        },
    )
