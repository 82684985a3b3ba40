"""Every registered mechanism's pages, for every persona: its case pages, each transition's form
POST, its register and the register's CSV export — each answer checked against the oracle.

The pages answer in their own way (shared/DESIGN.md §5, coordination/errors.py): nobody signed
in is sent to the login page; a case one may not see is a 404 page; what the API answers 403,
409 or 412 comes back as the case page with an error message, a 400 as the form with its
errors, a 200 as the case page with a success message.
"""

import csv
import io
import re

import pytest

from coordination.workflow import mechanisms
from tests.conformance import oracle
from tests.conformance.conftest import Problems, is_login_redirect, linked_cases
from tests.conformance.oracle import PERSONAS, STALE_VERSION

DECLARATIONS = mechanisms.registered()
RESOURCES = [d.resource for d in DECLARATIONS]
TRANSITIONS = [(d.resource, name) for d in DECLARATIONS for name in oracle.person_transitions(d.model)]

by_resource = pytest.mark.parametrize("resource", RESOURCES)
by_persona = pytest.mark.parametrize("persona", PERSONAS)


def case_page(snap) -> str:
    return f"/cases/{snap.resource}/{snap.pk}/"


def forms_on(html: str, snap) -> set[str]:
    """The transitions the page offers a form for."""
    return set(re.findall(rf'action="/cases/{re.escape(snap.resource)}/{snap.pk}/transitions/([\w-]+)/"', html))


@by_persona
@by_resource
def test_a_case_page_shows_the_case_and_the_actions_the_persona_may_take(world, resource, persona):
    problems = Problems()
    for who, snap in world.sample(resource, persona, oracle.opening_situation):
        url = case_page(snap)
        response = world.page(who, "get", url)
        what = f"{who} GET {url} ({snap!r})"
        if who.anonymous:
            if not is_login_redirect(response):
                problems.append(f"{what}: expected a redirect to the login page, got {response.status_code}")
            continue
        if not problems.expect(response, 200 if oracle.sees(who, snap) else 404, what) or response.status_code != 200:
            continue
        html = response.text()
        if snap.reference not in html:
            problems.append(f"{what}: the page does not show the reference")
        # The generic forms: exactly the allowed transitions. A mechanism's panel renders the
        # forms of its page actions itself, only where there is something to act on: never
        # one the persona may not use.
        offered, allowed, own = forms_on(html, snap), oracle.allowed(who, snap), set(snap.declaration.page_actions)
        if offered - own != allowed - own or not (offered & own) <= allowed:
            problems.append(f"{what}: forms for {sorted(offered)}, oracle {sorted(allowed)}")
    problems.check()


PAGE_OUTCOMES = {403: "error", 409: "error", 412: "error", 200: "success"}


@pytest.mark.parametrize(("resource", "transition"), TRANSITIONS)
def test_a_transitions_form_post_answers_each_outcome_the_page_way(world, resource, transition):
    """The form POST of the transition, once for each answer the engine gives some persona on
    some case, a stale version among them (the page is one view over the engine, whose answer
    to every persona the API tests check)."""
    problems, met = Problems(), set()
    for persona in PERSONAS:
        for snap in world.cases[resource]:
            who = world.resolve(persona, snap)
            if who is None:
                continue
            attempts = [
                (oracle.transition_status(who, snap, transition), {}),
                (oracle.transition_status(who, snap, transition, stale=True), {"version": STALE_VERSION}),
            ]
            for status, data in attempts:
                key = (who, snap.pk, status) if oracle.EXHAUSTIVE else status
                if key in met:
                    continue
                met.add(key)
                check_page_outcome(problems, world, who, snap, transition, status, data)
    problems.check()


def check_page_outcome(problems, world, who, snap, transition, status, data):
    url = f"{case_page(snap)}transitions/{transition}/"
    response = world.page(who, "post", url, data)
    what = f"{who} POST {url} {data} ({snap!r}; the API's answer: {status})"
    if status == 401:
        if not is_login_redirect(response):
            problems.append(f"{what}: expected a redirect to the login page, got {response.status_code}")
        return
    if status == 404:
        problems.expect(response, 404, what)
        return
    if response.status_code != 302 or response.redirect_path() != case_page(snap):
        problems.append(f"{what}: expected a redirect to the case page, got {response.status_code} {response.url}")
        return
    if status == 400:
        if response.messages or not (response.case_errors and response.case_errors.get("action") == transition):
            problems.append(
                f"{what}: expected the form's errors, got messages {response.messages}, errors {response.case_errors}"
            )
    elif response.messages != [PAGE_OUTCOMES[status]]:
        problems.append(f"{what}: expected one {PAGE_OUTCOMES[status]} message, got {response.messages}")


@by_persona
@by_resource
def test_a_register_lists_exactly_the_cases_the_persona_may_see(world, resource, persona):
    problems = Problems()
    for who in world.people(resource, persona):
        url = f"/registers/{resource}/"
        response = world.page(who, "get", url)
        if who.anonymous:
            if not is_login_redirect(response):
                problems.append(
                    f"anonymous GET {url}: expected a redirect to the login page, got {response.status_code}"
                )
            continue
        if problems.expect(response, 200, f"{who} GET {url}"):
            html = response.text()
            assert "page=2" not in html, "the demo outgrew a register page: follow its pages here"
            problems.same_cases(world, resource, who, linked_cases(html, resource), f"{who} GET {url}")
    problems.check()


@by_persona
@by_resource
def test_a_registers_csv_export_holds_exactly_the_cases_the_persona_may_see(world, resource, persona):
    """The export reads the register's queryset: one member of the persona is enough here (the
    register page itself is checked for every member)."""
    problems = Problems()
    by_reference = {snap.reference: snap.pk for snap in world.cases[resource]}
    for who in world.people(resource, persona)[:1]:
        url = f"/registers/{resource}/?format=csv"
        response = world.page(who, "get", url)
        if who.anonymous:
            if not is_login_redirect(response):
                problems.append(
                    f"anonymous GET {url}: expected a redirect to the login page, got {response.status_code}"
                )
            continue
        if not problems.expect(response, 200, f"{who} GET {url}"):
            continue
        if not response.headers.get("Content-Type", "").startswith("text/csv"):
            problems.append(f"{who} GET {url}: Content-Type {response.headers.get('Content-Type')}")
            continue
        rows = list(csv.reader(io.StringIO(response.text().lstrip("\ufeff"))))[1:]
        listed = [by_reference.get(row[0], row[0]) for row in rows]
        problems.same_cases(world, resource, who, listed, f"{who} GET {url}")
    problems.check()
