"""Every registered mechanism × every persona × every endpoint of its API resource (and the
documents of its cases), each answer checked against the oracle (tests/conformance/oracle.py).

Generated from `mechanisms.registered()`: a newly registered mechanism is covered here without a
line written for it, as long as its declaration gives it a demo.
"""

import pytest

from coordination.workflow import mechanisms
from tests.conformance import oracle
from tests.conformance.conftest import Problems
from tests.conformance.oracle import PERSONAS, STALE_VERSION

DECLARATIONS = mechanisms.registered()
RESOURCES = [d.resource for d in DECLARATIONS]
TRANSITIONS = [(d.resource, name) for d in DECLARATIONS for name in oracle.person_transitions(d.model)]

by_resource = pytest.mark.parametrize("resource", RESOURCES)
by_persona = pytest.mark.parametrize("persona", PERSONAS)


def api(resource: str) -> str:
    return f"/api/v1/{resource}/"


def opening_status(who, snap) -> int:
    return 401 if who.anonymous else 200 if oracle.sees(who, snap) else 404


@by_resource
def test_every_mechanism_has_demo_cases_in_several_states(world, resource):
    cases = world.cases[resource]
    assert len(cases) >= 2, f"{resource}: its declaration's `demo` creates no cases (or one)"
    assert len({snap.state for snap in cases}) >= 2, f"{resource}: the demo's cases are all in one state"


@by_persona
@by_resource
def test_the_list_holds_exactly_the_cases_the_persona_may_see(world, resource, persona):
    problems = Problems()
    for who in world.people(resource, persona):
        ids, url = [], api(resource)
        while url:
            response = world.api(who, "get", url)
            if not problems.expect(response, 401 if who.anonymous else 200, f"{who} GET {url}") or who.anonymous:
                break
            body = response.json()
            ids += [row["id"] for row in body["results"]]
            url = body.get("next")
        else:
            problems.same_cases(world, resource, who, ids, f"{who} GET {api(resource)}")
    problems.check()


@by_persona
@by_resource
def test_creating_is_refused_unless_the_declaration_allows_and_an_empty_body_is_invalid(world, resource, persona):
    declaration = mechanisms.for_resource(resource)
    problems = Problems()
    for who in world.people(resource, persona):
        expected = 401 if who.anonymous else 400 if oracle.may_create(who, declaration) else 403
        problems.expect(world.api(who, "post", api(resource), {}), expected, f"{who} POST {api(resource)} {{}}")
    problems.check()


@by_persona
@by_resource
def test_the_detail_answers_what_the_persona_may_see_and_do(world, resource, persona):
    """Every case the persona may not see (404: its existence is not leaked), and a case in each
    situation it may see."""
    problems = Problems()
    hidden = [
        (who, snap)
        for snap in world.cases[resource]
        if (who := world.resolve(persona, snap)) is not None and not who.anonymous and not oracle.sees(who, snap)
    ]
    for who, snap in [*world.sample(resource, persona, oracle.opening_situation), *hidden]:
        expected = opening_status(who, snap)
        what = f"{who} GET {api(resource)}{snap.pk}/ ({snap!r})"
        response = world.api(who, "get", f"{api(resource)}{snap.pk}/")
        if not problems.expect(response, expected, what) or expected != 200:
            continue
        body = response.json()
        shown = {key: body.get(key) for key in ("id", "reference", "state", "version")}
        wanted = {"id": snap.pk, "reference": snap.reference, "state": snap.state, "version": snap.case.version}
        if shown != wanted:
            problems.append(f"{what}: shows {shown}, the case is {wanted}")
        if response.headers.get("ETag") != f'"{snap.case.version}"':
            problems.append(f"{what}: ETag {response.headers.get('ETag')!r}, version {snap.case.version}")
        if set(body.get("allowed_transitions", ())) != oracle.allowed(who, snap):
            problems.append(
                f"{what}: allowed_transitions {sorted(body.get('allowed_transitions', ()))}, "
                f"the oracle's {sorted(oracle.allowed(who, snap))}"
            )
        parties = {(p["organisation"]["code"], p["role"]) for p in body.get("participants", ())}
        if parties != {(p.code, p.role) for p in snap.parties}:
            problems.append(f"{what}: participants {sorted(parties)}")
    problems.check()


@by_persona
@pytest.mark.parametrize(("resource", "transition"), TRANSITIONS)
def test_firing_a_transition_answers_401_404_403_412_409_400_or_200(world, resource, transition, persona):
    """On a case of the demo in each situation the persona meets (oracle.firing_situation), with
    an empty payload; and with a stale version whenever the persona may fire it (412 comes
    before the state's 409, shared/DESIGN.md §5), in the body and in If-Match."""
    problems, stale_tried = Problems(), False
    situation = lambda who, snap: oracle.firing_situation(who, snap, transition)  # noqa: E731
    for who, snap in world.sample(resource, persona, situation):
        url = f"{api(resource)}{snap.pk}/transitions/{transition}/"
        expected = oracle.transition_status(who, snap, transition)
        problems.expect(world.api(who, "post", url, {"payload": {}}), expected, f"{who} POST {url} ({snap!r})")
        stale = oracle.transition_status(who, snap, transition, stale=True)
        if stale == expected or (stale_tried and not oracle.EXHAUSTIVE):
            continue  # (the version is not looked at before a 401, 404 or 403)
        stale_tried = True
        response = world.api(who, "post", url, {"payload": {}, "version": STALE_VERSION})
        problems.expect(response, stale, f"{who} POST {url} version={STALE_VERSION} ({snap!r})")
        response = world.api(who, "post", url, {"payload": {}}, HTTP_IF_MATCH=f'"{STALE_VERSION}"')
        problems.expect(response, stale, f"{who} POST {url} If-Match: {STALE_VERSION} ({snap!r})")
    problems.check()


@by_persona
@by_resource
def test_the_transition_graph_is_there_for_anyone_signed_in(world, resource, persona):
    problems = Problems()
    for who in world.people(resource, persona)[:1]:
        response = world.api(who, "get", f"{api(resource)}graph/")
        ok = problems.expect(response, 401 if who.anonymous else 200, f"{who} GET {api(resource)}graph/")
        if ok and not who.anonymous and b"<svg" not in response.content[:400]:
            problems.append(f"{who} GET {api(resource)}graph/: not SVG")
    problems.check()


@by_persona
@by_resource
def test_a_case_graph_and_reading_a_case_answer_like_its_detail(world, resource, persona):
    problems = Problems()
    for who, snap in world.sample(resource, persona, oracle.seeing_situation):
        expected = opening_status(who, snap)
        graph = f"{api(resource)}{snap.pk}/graph/"
        problems.expect(world.api(who, "get", graph), expected, f"{who} GET {graph} ({snap!r})")
        read = f"{api(resource)}{snap.pk}/read/"
        problems.expect(world.api(who, "post", read), expected, f"{who} POST {read} ({snap!r})")
    problems.check()


@by_persona
@by_resource
def test_a_cases_documents_are_listed_only_to_those_who_see_the_case(world, resource, persona):
    """The circulars of a case (`?case_model=&case_id=`): all of them to those who see the case,
    none to the others — for every case that has any, and a case without, seen and unseen."""
    label = mechanisms.for_resource(resource).label()
    problems = Problems()
    situation = lambda who, snap: (oracle.sees(who, snap), snap.pk if snap.circulars else None)  # noqa: E731
    for who, snap in world.sample(resource, persona, situation):
        url = f"/api/v1/circulars/?case_model={label}&case_id={snap.pk}"
        response = world.api(who, "get", url)
        if not problems.expect(response, 401 if who.anonymous else 200, f"{who} GET {url}") or who.anonymous:
            continue
        ids = {row["id"] for row in response.json()["results"]}
        expected = set(snap.circulars) if oracle.sees(who, snap) else set()
        if ids != expected:
            problems.append(f"{who} GET {url} ({snap!r}): circulars {sorted(ids)}, expected {sorted(expected)}")
    problems.check()
