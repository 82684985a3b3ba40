"""The lists of filings (the centre's queue, the hospital's "my filings", the API list) cost a
fixed number of queries whatever their length, and the queue reads the insuring-centre column
in place of the visibility rule only because the two agree."""

import pytest

from coordination.mechanisms.insurance.selectors import filings_visible, review_queue
from coordination.pii.idcard import sex_of, with_check_character
from tests.mechanisms.insurance.conftest import filing_data


def file_people(file_filing, numbers, **overrides):
    for n in numbers:
        number = with_check_character(f"31010119900215{n:03d}")
        file_filing(id_number=number, birth_date="1990-02-15", sex=sex_of(number), **overrides)


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("sh-insurance", "/insurance/queue/"),
        ("wuxi-hospital", "/insurance/filings/"),
        ("wuxi-hospital", "/api/v1/insurance-filings/"),
        ("sh-insurance", "/api/v1/insurance-filings/?queue=1"),
        ("sh-insurance", "/api/v1/insurance-filings/"),
    ],
)
def test_a_list_costs_the_same_queries_for_1_filing_as_for_6(
    ins, client, file_filing, django_assert_max_num_queries, username, url
):
    client.force_login(ins.user(username))
    file_people(file_filing, [1])
    with django_assert_max_num_queries(20) as one:
        assert client.get(url).status_code == 200
    file_people(file_filing, range(2, 7), filing_type="referral", diagnosis="C34.9")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("INS-") >= 6


def test_the_queue_is_exactly_the_centres_visible_filings_in_the_state(ins, file_filing):
    from django.core.management import call_command

    from coordination.mechanisms.insurance.models import InsuranceFiling

    call_command("seed_demo", verbosity=0)
    file_people(file_filing, range(1, 4))
    assert InsuranceFiling.objects.filter(state="submitted").exists()
    for username in ["sh-insurance", "js-insurance", "wuxi-hospital", "js-liaison"]:
        user = ins.user(username)
        for state in ("submitted", "approved", ""):
            queue = set(review_queue(user, state=state).values_list("pk", flat=True))
            visible = filings_visible(user).filter(insuring_centre_id=user.membership.organisation_id)
            if state:
                visible = visible.filter(state=state)
            assert queue == set(visible.values_list("pk", flat=True)), (username, state)


def test_the_lists_show_masks_and_never_read_the_numbers(ins, client, file_filing, django_assert_max_num_queries):
    file_filing()
    client.force_login(ins.user("wuxi-hospital"))
    with django_assert_max_num_queries(20) as queries:
        page = client.get("/insurance/filings/").content.decode()
    assert filing_data()["id_number"] not in page
    [page_query] = [q["sql"] for q in queries.captured_queries if '"id_number_masked"' in q["sql"]]
    assert '."id_number",' not in page_query and '."phone",' not in page_query
