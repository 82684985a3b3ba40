"""Every list costs a fixed number of queries whatever its size (shared/DESIGN.md §5): each
registered mechanism's API list and register page, at the demo's size and again with every case
there three times (copies made through the engine), for a persona of each way of seeing cases:
by taking part (the owner), by rule (the Office, a regional leader) and a hospital (whose
filings list is its own, and which sees nothing of the other mechanisms)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.workflow import mechanisms
from tests.conformance import oracle
from tests.conformance.conftest import Problems, linked_cases
from tests.conformance.copies import copy_cases

RESOURCES = [d.resource for d in mechanisms.registered()]
MEASURED = ("owner", "office", "regional-leader", "hospital")
SURFACES = {
    "api-list": lambda resource: f"/api/v1/{resource}/",
    "register": lambda resource: f"/registers/{resource}/",
}


def listed(response, surface: str, resource: str) -> list[int]:
    if surface == "api-list":
        return sorted(row["id"] for row in response.json()["results"])
    return sorted(linked_cases(response.text(), resource))  # (the page's order is the API's)


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_list_costs_the_same_queries_at_two_sizes(world, resource, surface):
    url = SURFACES[surface](resource)
    people = {p: who[0] for p in MEASURED if (who := world.people(resource, p))}
    send = world.api if surface == "api-list" else world.page

    def measure(who):
        with CaptureQueriesContext(connection) as queries:
            response = send(who, "get", url, fresh=True)
        assert response.status_code == 200, f"{who} GET {url}: {response.status_code}"
        return len(queries.captured_queries), listed(response, surface, resource)

    send(people["owner"], "get", url, fresh=True)  # the process's caches warmed (content types…)
    small = {persona: measure(who) for persona, who in people.items()}

    copies = copy_cases(world.cases[resource], times=2)
    assert len(copies) == 2 * len(world.cases[resource])
    bigger = oracle.snapshots(mechanisms.for_resource(resource))
    big = {persona: measure(who) for persona, who in people.items()}

    problems = Problems()
    for persona, who in people.items():
        (few, at_small), (many, at_big) = small[persona], big[persona]
        expected = sorted(snap.pk for snap in bigger if oracle.sees(who, snap))
        if at_big != expected:
            problems.append(f"{persona} ({who}) GET {url} with the copies: lists {at_big}, expected {expected}")
        elif len(at_big) != 3 * len(at_small):
            problems.append(f"{persona} ({who}) GET {url}: {len(at_small)} cases, then {len(at_big)} (not ×3)")
        if many != few:
            problems.append(
                f"{persona} ({who}) GET {url}: {few} queries for {len(at_small)} cases, {many} for {len(at_big)}"
            )
    problems.check()
