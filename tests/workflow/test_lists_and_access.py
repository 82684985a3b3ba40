"""Lists cost a fixed number of queries, and the two ways of asking "which cases may this
organisation see" agree."""

import pytest

from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.workflow.access import visible_cases, visible_cases_by_guardian

URL = "/api/v1/assignment-sheets/"


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_list_costs_the_same_queries_at_any_page_size(
    api_as, demo, make_sheet, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        make_sheet()
    client = api_as(demo.user("sh-liaison"))
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("username", ["js-liaison", "sh-liaison", "zj-liaison", "ah-liaison", "wuxi-hospital"])
def test_participant_filter_and_guardian_rows_agree(demo, make_sheet, username):
    make_sheet()
    make_sheet(by="zj-liaison", to="ah-liaison")
    make_sheet(by="sh-liaison", to="zj-liaison")
    user = demo.user(username)
    by_participants = set(visible_cases(user, AssignmentSheet).values_list("pk", flat=True))
    by_guardian = set(visible_cases_by_guardian(user, AssignmentSheet).values_list("pk", flat=True))
    assert by_participants == by_guardian
