"""The landing page lists what waits for the user's organisation, across every mechanism."""

from datetime import timedelta

from django.utils import timezone, translation

from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.my_work import my_work, waiting_roles
from tests.pages.conftest import fire


def test_a_sheet_addressed_to_an_office_waits_for_it_and_not_for_others(client, demo, make_sheet):
    sheet = make_sheet(by="js-liaison", to="sh-liaison")
    client.force_login(demo.user("sh-liaison"))
    page = client.get("/").content.decode()
    assert sheet.reference in page and "data-work-count" in page
    assert my_work(demo.user("sh-liaison"))[1] == 1
    assert my_work(demo.user("zj-liaison"))[1] == 0
    assert my_work(demo.user("js-liaison"))[1] == 0


def test_a_notice_waits_for_each_addressee_until_it_acknowledges(demo, make_notice):
    notice = make_notice(by="js-liaison")
    sh = demo.user("sh-liaison")
    assert [item.case.pk for item in my_work(sh)[0]] == [notice.pk]
    with translation.override("en"):
        assert my_work(sh)[0][0].reason == "Acknowledge receipt"
    fire(notice, "acknowledge", sh)
    assert my_work(sh)[1] == 0
    assert my_work(demo.user("zj-liaison"))[1] == 1


def test_a_returned_sheet_waits_for_its_originator(demo, make_sheet):
    sheet = make_sheet(by="js-liaison", to="sh-liaison")
    fire(sheet, "return_for_correction", demo.user("sh-liaison"), reason="请补充司机名单")
    assert [item.case.pk for item in my_work(demo.user("js-liaison"))[0]] == [sheet.pk]
    assert my_work(demo.user("sh-liaison"))[1] == 0


def test_an_objection_waits_for_the_issuer_to_answer(demo, make_notice):
    notice = make_notice(by="js-liaison")
    fire(notice, "raise_objection", demo.user("sh-liaison"), reason="与我市措施冲突")
    items, total = my_work(demo.user("js-liaison"))
    assert total == 1 and items[0].objection_waiting
    assert my_work(demo.user("sh-liaison"))[1] == 0


def test_items_are_sorted_by_deadline_soonest_first(demo, make_sheet, make_notice):
    later = make_sheet(by="js-liaison", to="sh-liaison", time_limit=timedelta(hours=8))
    sooner = make_notice(by="js-liaison", time_limit=timedelta(minutes=30))
    items, _ = my_work(demo.user("sh-liaison"))
    assert [type(i.case) for i in items] == [MeasureNotice, AssignmentSheet]
    assert items[0].case.pk == sooner.pk and items[1].case.pk == later.pk
    assert items[0].urgency == "soon"
    assert my_work(demo.user("sh-liaison"), now=timezone.now() + timedelta(hours=1))[0][0].urgency == "overdue"


def test_waiting_roles_are_read_from_each_models_declarations():
    sheets = waiting_roles(AssignmentSheet)
    assert sheets["submitted"] == ("responder",) and sheets["returned"] == ("originator",)
    assert sheets["replied"] == ("originator",) and "closed" not in sheets
    assert waiting_roles(MeasureNotice) == {"issued": ("addressee",)}


def test_htmx_gets_the_list_alone_for_the_live_count(client, demo, make_sheet):
    make_sheet()
    client.force_login(demo.user("sh-liaison"))
    fragment = client.get("/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "data-work-count" in fragment and ">1</span>" in fragment


def test_the_home_page_keeps_the_mechanism_catalogue_with_register_links(client, demo):
    client.force_login(demo.user("js-liaison"))
    page = client.get("/").content.decode()
    assert "重大防疫管控举措相互通报" in page and "/registers/measure-notices/?mechanism=M7" in page
    assert 'hx-trigger="yrd:notice from:document' in page


def test_my_work_costs_the_same_queries_whatever_the_number_of_cases(
    client, demo, make_sheet, django_assert_max_num_queries
):
    from coordination.workflow import mechanisms

    # The page's own queries, and one per mechanism (its cases awaiting the user): never per case.
    budget = 11 + len(mechanisms.registered())
    client.force_login(demo.user("sh-liaison"))
    make_sheet()
    with django_assert_max_num_queries(budget):
        client.get("/")
    for _ in range(15):
        make_sheet()
    with django_assert_max_num_queries(budget):
        client.get("/")
