"""Scale data of notices between regions (`manage.py generate_scale_data --notices N`): M3, M7,
F4 and F5 notices of the liaison offices and the Office to the service's default addressees,
each addressee's receipt acknowledged, objected to or still unanswered; issued, closed (every
addressee acknowledged), withdrawn, or superseded by the issuer's next notice. Created and
answered through the engine, so each notice has its receipts, circular and notices."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation

from coordination.mechanisms.measure_notices.models import CATEGORIES_BY_MECHANISM, MeasureCategory, MeasureNotice
from coordination.mechanisms.measure_notices.services import default_addressees
from coordination.models import Organisation, Participant, Receipt
from coordination.workflow.engine import Firing, NewCase, cases_create_many, transitions_fire_each

K = Organisation.Kind
CODES = {"M3": 70, "M7": 15, "F4": 7, "F5": 8}
KIND_OF_NOTICE = {"M3": "通报", "M7": "情况通报", "F4": "协调函", "F5": "政策通报"}
# The final states; the order in which a small data set is made to cover them (a superseded
# notice first: it needs a later notice of its issuer to replace it).
STATES = ("superseded", "withdrawn", "closed", "issued")
AREA_CODES = {"310000": "021", "320000": "025", "330000": "0571", "340000": "0551"}
OBJECTIONS = [
    "请明确持绿码货运司机是否免于居家观察，以免影响物资运输。",
    "执行时间过紧，请给予我方三天准备期。",
    "措施涉及我省道口，请先行会商。",
]


def draw_state(rng, age_days: float) -> str:
    roll = rng.random()
    if roll < 0.03:
        return "withdrawn"
    if roll < 0.08:
        return "superseded"
    return "closed" if age_days > 3 or roll > 0.6 else "issued"


def generate(count: int, *, rng, world):
    """`count` notices over the world's span, a batch per slot (one `cases_create_many` per
    issuer and mechanism at its moment, then every answer, withdrawal and supersession of the
    slot in one `transitions_fire_each`, all in one transaction); yields each batch's notices."""
    issuers = dict.fromkeys(world.of_kind(K.LIAISON_OFFICE), 23)
    issuers.update({org: 8 for org in world.of_kind(K.COOPERATION_OFFICE) if org.pk in world.users})
    addressees = {issuer: default_addressees(issuer) for issuer in issuers}
    with translation.override("zh-hans"):
        labels = {value: str(label) for value, label in MeasureCategory.choices}
    content_type = ContentType.objects.get_for_model(MeasureNotice)
    slots = list(world.slots(count))
    if not slots:
        return
    # A notice made superseded (to cover the state) is not in the last slot: a later one replaces it.
    fate = world.coverage(STATES, count, margin=slots[-1][2] if len(slots) > 1 else 0)
    # Issuer → its notices waiting to be superseded by its next one, with their last step's time.
    pending: dict[Organisation, list] = {}
    for first, until, size in slots:
        # An issuer with a notice to supersede issues (one of) the slot's notices.
        chosen = [issuer for issuer in issuers if pending.get(issuer)][:size]
        chosen += [world.weighted(rng, issuers) for _ in range(size - len(chosen))]
        groups: dict[tuple, int] = {}
        for issuer in chosen:
            key = (issuer, world.weighted(rng, CODES))
            groups[key] = groups.get(key, 0) + 1
        moments = {key: world.moment(rng, first, until) for key in groups}
        created, firings, answers, superseded = [], [], [], {}
        with transaction.atomic():
            for issuer, code in sorted(groups, key=lambda key: (moments[key], key[0].code, key[1])):
                at = moments[(issuer, code)]
                by = world.user(issuer)
                plans = []
                for _ in range(groups[(issuer, code)]):
                    state = fate(draw_state(rng, world.age_days(at)))
                    replaces = pending[issuer].pop(0) if pending.get(issuer) else None
                    plans.append((state, replaces))
                notices = cases_create_many(
                    MeasureNotice,
                    [
                        new_notice(rng, issuer, code, at, addressees[issuer], labels, replaces)
                        for _state, replaces in plans
                    ],
                    by=by,
                    mechanism_code=code,
                    now=at,
                )
                for notice, (state, replaces) in zip(notices, plans, strict=True):
                    if replaces is not None:
                        old, old_last = replaces
                        supersede_at = world.at_most_now(max(at, old_last + timedelta(minutes=1)))
                        firings.append(
                            Firing(
                                old,
                                "supersede",
                                by,
                                {"superseded_by": notice.reference},
                                comment=notice.reference,
                                now=supersede_at,
                                organisation=issuer,
                            )
                        )
                    last = answers_planned(rng, world, notice, state, at, addressees[issuer], answers)
                    if state == "superseded":
                        superseded.setdefault(issuer, []).append((notice, last))
                created += notices
            receipts = {
                (receipt.object_id, receipt.organisation_id): receipt
                for receipt in Receipt.objects.filter(
                    content_type=content_type, object_id__in=[notice.pk for notice in created]
                )
            }
            for notice, organisation, name, data, t in answers:
                item = receipts.get((notice.pk, organisation.pk)) if name != "withdraw" else None
                firings.append(Firing(notice, name, world.user(organisation), data, now=t, item=item))
            # In time order (stable: each notice's own steps stay in theirs).
            transitions_fire_each(MeasureNotice, sorted(firings, key=lambda firing: firing.now))
        for issuer, waiting in superseded.items():
            pending.setdefault(issuer, []).extend(waiting)
        yield created


generate.flag = "notices"  # manage.py generate_scale_data --notices N


def answers_planned(rng, world, notice, state: str, at, addressees, answers: list):
    """Plan the addressees' answers and the issuer's withdrawal that bring the notice to `state`
    (into `answers`, in order: notice, acting organisation, transition, payload, time); the time
    of its last step."""
    planned = []
    for organisation in addressees:
        roll = rng.random()
        if state == "closed" or roll < 0.55:
            planned.append((organisation, "acknowledge", {}))
        elif roll < 0.63:
            planned.append((organisation, "raise_objection", {"reason": rng.choice(OBJECTIONS)}))
    if state != "closed" and len(planned) == len(addressees) and all(p[1] == "acknowledge" for p in planned):
        planned.pop()  # not every addressee has acknowledged: the notice is still issued
    last = at
    for organisation, name, data in planned:
        t = world.at_most_now(at + timedelta(minutes=rng.randrange(2, 600) + rng.randrange(1, 240)))
        answers.append((notice, organisation, name, data, t))
        last = max(last, t)
    if state == "withdrawn":
        last = world.at_most_now(last + timedelta(hours=rng.randrange(1, 72)))
        answers.append((notice, notice.originator, "withdraw", {"reason": "措施已调整。"}, last))
    return last


def new_notice(rng, issuer: Organisation, code: str, at, addressees, labels: dict, replaces) -> NewCase:
    category = rng.choice(CATEGORIES_BY_MECHANISM[code])
    label = labels[category]
    issued_on = timezone.localtime(at).date()
    place = issuer.region.name_zh if issuer.region_id else issuer.name_zh
    return NewCase(
        title=f"{place}关于{label}的{KIND_OF_NOTICE[code]}（{issued_on.month}月{issued_on.day}日）",
        participants=[(organisation, Participant.Role.ADDRESSEE) for organisation in addressees],
        fields={
            "category": category,
            "summary": f"{label}：自{issued_on.month}月{issued_on.day}日起执行，请相关地区做好衔接。",
            "body": f"各有关地区：\n根据当前疫情防控形势，{issuer.name_zh}决定自{issued_on.year}年{issued_on.month}月"
            f"{issued_on.day}日起实施{label}相关措施。请接报后及时签收，并将落实情况反馈。",
            "effective_from": issued_on,
            "effective_until": issued_on + timedelta(days=rng.choice((7, 14, 30, 60))) if rng.random() < 0.8 else None,
            "contact_officer": f"值班室 {AREA_CODES.get(issuer.region_id, '021')}-{rng.randrange(10**7, 10**8)}",
            "supersedes": replaces[0] if replaces is not None else None,
        },
    )
