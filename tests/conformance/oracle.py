"""The conformance suite's oracle: what every persona should get from every endpoint, derived
from the declarations (coordination/workflow/mechanisms.py, transitions.py) and the case's
participant rows alone — never from coordination/workflow/access.py's functions, so the suite
checks the platform instead of restating it.

The rules written down here, from shared/DESIGN.md §4.1 and §5:

- a participant's role grants actions (`ROLE_ACTIONS`): the originator views and originates,
  addressees and responders view and respond, reviewers view and review, observers view;
- an organisation sees a case it takes part in (in one of the declaration's
  `visible_participant_roles`, every role when None); when the declaration has
  `visible_to_rule_viewers`, the Regional Cooperation Office sees every case and a regional
  leading group's leader every case an organisation of their region takes part in;
- firing: anonymous 401, not visible 404, the transition's permission not granted 403, a stale
  version 412, the state (or the transition's guard) does not allow it 409, a payload the
  transition's serializer refuses 400, else 200.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from coordination.models import Membership, Organisation, Participant
from coordination.workflow import mechanisms
from coordination.workflow.transitions import declared_transitions

K = Organisation.Kind
R = Participant.Role

# participant role → the actions it grants (shared/DESIGN.md §4.1; test_registry.py holds the
# platform's ROLE_PERMISSIONS equal to it).
ROLE_ACTIONS = {
    R.ORIGINATOR: frozenset({"view", "originate"}),
    R.ADDRESSEE: frozenset({"view", "respond"}),
    R.RESPONDER: frozenset({"view", "respond"}),
    R.REVIEWER: frozenset({"view", "review"}),
    R.OBSERVER: frozenset({"view"}),
}

STALE_VERSION = 1_000_000
# CONFORMANCE_EXHAUSTIVE=1: every request about every case, not one case per situation (slow).
EXHAUSTIVE = bool(os.environ.get("CONFORMANCE_EXHAUSTIVE"))


# --- who asks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """A persona made concrete: a user (None: anonymous) and their membership, as rows."""

    username: str | None
    user: object = field(default=None, compare=False, hash=False)
    membership: Membership | None = field(default=None, compare=False, hash=False)

    @property
    def anonymous(self) -> bool:
        return self.user is None

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    def __repr__(self) -> str:
        return self.username or "anonymous"


ANONYMOUS = Who(None)


def who_is(username: str) -> Who:
    user = get_user_model().objects.get(username=username)
    membership = Membership.objects.select_related("organisation").filter(user=user).first()
    return Who(username, user, membership)


# --- the cases as the oracle sees them --------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    organisation_id: int
    code: str
    kind: str
    region_id: str | None
    role: str


@dataclass
class Snapshot:
    """A case as rows: its declaration, state, version and participants."""

    declaration: type
    case: object
    parties: tuple[Party, ...]
    circulars: frozenset[int]

    @property
    def pk(self) -> int:
        return self.case.pk

    @property
    def state(self) -> str:
        return self.case.state

    @property
    def reference(self) -> str:
        return self.case.reference

    @property
    def resource(self) -> str:
        return self.declaration.resource

    @property
    def originator(self) -> Organisation:
        return self.case.originator

    def __repr__(self) -> str:
        return f"{self.reference}[{self.state}]"


def snapshots(declaration) -> list[Snapshot]:
    """Every case of the declaration's model, oldest first, with its participants and circulars."""
    from notices.models import Circular

    model = declaration.model
    content_type = ContentType.objects.get_for_model(model)
    cases = list(model.objects.select_related("originator").order_by("created_at", "id"))
    parties: dict[int, list[Party]] = {}
    rows = (
        Participant.objects.filter(content_type=content_type, object_id__in=[c.pk for c in cases])
        .select_related("organisation")
        .order_by("id")
    )
    for p in rows:
        parties.setdefault(p.object_id, []).append(
            Party(p.organisation_id, p.organisation.code, p.organisation.kind, p.organisation.region_id, p.role)
        )
    circulars: dict[int, set[int]] = {}
    for pk, object_id in Circular.objects.filter(content_type=content_type).values_list("pk", "object_id"):
        circulars.setdefault(object_id, set()).add(pk)
    return [
        Snapshot(declaration, case, tuple(parties.get(case.pk, ())), frozenset(circulars.get(case.pk, ())))
        for case in cases
    ]


# --- the rules -------------------------------------------------------------------------------------


def sees(who: Who, snap: Snapshot) -> bool:
    if who.anonymous or who.membership is None or not who.user.is_active:
        return False
    declaration = snap.declaration
    org = who.organisation
    roles = declaration.visible_participant_roles
    opening = [p for p in snap.parties if roles is None or p.role in roles]
    if declaration.visible_to_rule_viewers:
        if org.kind == K.COOPERATION_OFFICE:
            return True
        if who.membership.role == Membership.Role.LEADER and org.kind == K.LEADING_GROUP and org.region_id:
            return any(p.region_id == org.region_id for p in opening)
    return any(p.organisation_id == org.pk for p in opening)


def granted(who: Who, snap: Snapshot) -> frozenset[str]:
    """The actions the persona's organisation's roles in the case grant."""
    if who.anonymous or who.membership is None:
        return frozenset()
    return frozenset().union(
        *(ROLE_ACTIONS[p.role] for p in snap.parties if p.organisation_id == who.membership.organisation_id)
    )


def may_create(who: Who, declaration) -> bool:
    """The declaration's rule, judged on the membership row (None: no membership)."""
    return bool(who.membership is not None and who.user.is_active and declaration.may_create(who.membership))


def person_transitions(model) -> list[str]:
    """The transitions people fire (the API's and the pages'): every declared one but the system's."""
    return sorted(name for name, meta in declared_transitions(model).items() if not _spec(meta).system)


def _spec(meta):
    return next(iter(meta.transitions.values())).custom["spec"]


def _source_allows(model, name: str, case) -> bool:
    meta = declared_transitions(model)[name]
    sources = set(meta.transitions)
    info = meta.transitions.get(case.state) or meta.transitions.get("*")
    if info is None and "+" in sources:
        info = meta.transitions["+"]
    if info is None:
        return False
    return all(condition(case) for condition in info.conditions)


def _payload_accepts_nothing(declaration, name: str, case) -> bool:
    payload = declaration.payload_for(name)
    return payload is None or payload(data={}, context={"case": case}).is_valid()


def transition_status(who: Who, snap: Snapshot, name: str, *, stale: bool = False) -> int:
    """What firing the transition with an empty payload (and, when `stale`, a stale version) answers."""
    if who.anonymous:
        return 401
    model = snap.declaration.model
    spec = _spec(declared_transitions(model)[name])
    # A joining transition (a pledge) lets a newcomer its rule admits join as it fires it,
    # when the case's state allows it: then it answers as for a participant in that role.
    joins = (
        spec.joins is not None
        and spec.join_refusal(snap.case, who.membership) is None
        and _source_allows(model, name, snap.case)
    )
    if not sees(who, snap) and not joins:
        return 404
    if spec.permission not in granted(who, snap) and not joins:
        return 403
    if stale:
        return 412
    if not _source_allows(model, name, snap.case):
        return 409
    if spec.guard is not None and spec.guard(snap.case, who.user):
        return 409
    return 200 if _payload_accepts_nothing(snap.declaration, name, snap.case) else 400


def roles_of(who: Who, snap: Snapshot) -> frozenset[str]:
    if who.anonymous or who.membership is None:
        return frozenset()
    return frozenset(p.role for p in snap.parties if p.organisation_id == who.membership.organisation_id)


# Situations: what decides an endpoint's answer to a persona on a case. Cases in the same
# situation answer alike, so a test sends its request about one case of each situation. Every
# case is still in every persona's lists and exports (and the API detail of every case the
# persona may not see is asked for): a leak or a wrongly hidden case is looked for everywhere.


def opening_situation(who: Who, snap: Snapshot) -> tuple:
    """Opening a case (its page, detail, graph, read receipt, documents): visible or not, the
    roles the persona's organisation has in it, its state, what it may do there."""
    if who.anonymous:
        return ("anonymous",)
    if not sees(who, snap):
        return ("not visible", roles_of(who, snap))
    return ("visible", roles_of(who, snap), snap.state, frozenset(allowed(who, snap)), bool(snap.circulars))


def seeing_situation(who: Who, snap: Snapshot) -> tuple:
    """Whether a case opens at all (its graph, its read receipt): visible or not, by which roles."""
    return ("anonymous",) if who.anonymous else (sees(who, snap), roles_of(who, snap))


def firing_situation(who: Who, snap: Snapshot, name: str) -> tuple:
    """Firing a transition: 401/404/403 are answered before the state is looked at; 409 by the
    state (or the guard); 200/400 by the state and the payload."""
    status = transition_status(who, snap, name)
    if status in (401, 404, 403):
        return (status, roles_of(who, snap))
    return (status, roles_of(who, snap), snap.state)


def allowed(who: Who, snap: Snapshot) -> set[str]:
    """The transitions a case's detail offers the persona (`allowed_transitions`, the page's forms)."""
    if who.anonymous or not sees(who, snap):
        return set()
    model = snap.declaration.model
    names = set()
    for name in person_transitions(model):
        spec = _spec(declared_transitions(model)[name])
        if spec.permission not in granted(who, snap) or not _source_allows(model, name, snap.case):
            continue
        if spec.guard is None or not spec.guard(snap.case, who.user):
            names.add(name)
    return names


# --- the personas ------------------------------------------------------------------------------------

# Personas, each made concrete per case: the case's owner (a member of the originating
# organisation), a colleague there, a member of another organisation taking part, an officer of
# another region's liaison office, a hospital, another hospital, an insurance centre (one not in
# the case), the Office, a regional leader, a signed-in user of no organisation and nobody signed
# in. (The Office's leader sees by the same rule as its coordinator — the organisation's kind —
# and is left out to keep the suite fast.)
PERSONAS = (
    "owner",
    "colleague",
    "participant",
    "other-region-liaison",
    "hospital",
    "other-hospital",
    "other-insurance",
    "office",
    "regional-leader",
    "outsider",
    "anonymous",
)
FIXED = {
    "hospital": "wuxi-hospital",
    "other-hospital": "hz-hospital-filer",
    "office": "yrd-office",
    "regional-leader": "sh-leader",
    "outsider": "no-organisation",
}
LIAISONS = ("sh-liaison", "js-liaison", "zj-liaison", "ah-liaison")
INSURANCE = ("js-insurance", "sh-insurance")


def colleague_name(org_code: str) -> str:
    return f"colleague-of-{org_code}"


class World:
    """The seeded demo as the oracle sees it: cases per mechanism and the people asking."""

    def __init__(self):
        from coordination.demo import USERS_BY_ORG

        self.declarations = mechanisms.registered()
        self.cases = {d.resource: snapshots(d) for d in self.declarations}
        self.demo_user_of = dict(USERS_BY_ORG)  # organisation code → its demo user
        self._people: dict[str, Who] = {}

    def who(self, username: str | None) -> Who:
        if username is None:
            return ANONYMOUS
        if username not in self._people:
            self._people[username] = who_is(username)
        return self._people[username]

    def resolve(self, persona: str, snap: Snapshot) -> Who | None:
        """The persona for this case, or None when the case has nobody in that part."""
        if persona == "anonymous":
            return ANONYMOUS
        if persona in FIXED:
            return self.who(FIXED[persona])
        originator = snap.originator
        if persona == "owner":
            return self.who(self.demo_user_of[originator.code])
        if persona == "colleague":
            return self.who(colleague_name(originator.code))
        if persona == "participant":
            for party in snap.parties:
                if party.organisation_id != originator.pk and party.code in self.demo_user_of:
                    return self.who(self.demo_user_of[party.code])
            return None
        taking_part = {p.code for p in snap.parties}
        if persona == "other-region-liaison":
            others = [u for u in LIAISONS if self.who(u).organisation.region_id != originator.region_id]
            return self.who(_prefer_outside(others, taking_part, self))
        if persona == "other-insurance":
            return self.who(_prefer_outside(list(INSURANCE), taking_part, self))
        raise ValueError(persona)

    def people(self, resource: str, persona: str) -> list[Who]:
        """Everyone the persona stands for across the mechanism's cases (for lists and creation)."""
        found = []
        for snap in self.cases[resource]:
            who = self.resolve(persona, snap)
            if who is not None and who not in found:
                found.append(who)
        if persona in FIXED or persona == "anonymous":
            found = found or [self.resolve(persona, None)]
        return found

    def sample(self, resource: str, persona: str, situation) -> Iterator[tuple[Who, Snapshot]]:
        """(persona, case) for the first case of the mechanism in each situation, oldest first."""
        seen = set()
        for snap in self.cases[resource]:
            who = self.resolve(persona, snap)
            if who is None:
                continue
            org = who.organisation
            key = (org.kind if org else None, org.region_id is None if org else None, situation(who, snap))
            if EXHAUSTIVE:
                key = (who, snap.pk)
            if key not in seen:
                seen.add(key)
                yield who, snap

    def visible(self, resource: str, who: Who) -> Iterator[Snapshot]:
        return (snap for snap in self.cases[resource] if sees(who, snap))


def _prefer_outside(usernames: list[str], taking_part: set[str], world: World) -> str:
    outside = [u for u in usernames if world.who(u).organisation.code not in taking_part]
    return (outside or usernames)[0]
