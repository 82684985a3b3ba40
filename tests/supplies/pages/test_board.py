"""The shortage and capacity board: figures per item and region, the open lines, and a pledge
posted from it by a liaison office not yet on the request."""

from coordination.models import Participant
from supplies.models import Pledge, StockBalance
from tests.supplies.pages.conftest import case_url


def _free(aid, warehouse, item):
    return StockBalance.objects.get(warehouse=aid.stock.warehouse(warehouse), item=aid.stock.item(item)).free


def _board_form(page: str, case, line: int = 1) -> str:
    """The board's pledge form of the request's line."""
    form = page[page.index(f'id="line-{case.pk}-{line}"') :]
    return form[: form.index("</form>")]


def test_the_board_shows_what_is_still_needed_and_what_could_cover_it(aid):
    aid.create()
    page = aid.page("zj-liaison").get("/supplies/shortage/").content.decode()
    assert 'data-item="mask-n95"' in page and 'data-item="suit-protective"' in page
    assert "60000" in page and "50000" in page  # Jiangsu's need; Zhejiang's free stock
    assert 'id="board-charts-data"' in page and "echarts-6.1.0.min.js" in page
    assert 'hx-trigger="yrd:board-refresh"' in page


def test_the_board_filters_by_item(aid):
    aid.create()
    page = aid.page("zj-liaison").get("/supplies/shortage/?item=suit-protective").content.decode()
    assert 'data-item="suit-protective"' in page and 'data-item="mask-n95"' not in page


def test_an_htmx_refresh_gets_the_live_part_only(aid):
    aid.create()
    response = aid.page("zj-liaison").get("/supplies/shortage/", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and "board-lines" in page


def test_another_regions_office_gets_a_pledge_form_and_the_requester_none(aid):
    case = aid.create()
    action = f'action="/supplies/shortage/pledge/{case.pk}/"'
    zhejiang = aid.page("zj-liaison").get("/supplies/shortage/").content.decode()
    assert action in zhejiang and "浙江省医药储备库" in zhejiang  # its warehouse, with its free stock
    assert "warehouse:zj-medical-reserve" in zhejiang and f"capacity:{aid.capacity.pk}" in zhejiang
    assert action not in aid.page("js-liaison").get("/supplies/shortage/").content.decode()
    assert action not in aid.page("yrd-office").get("/supplies/shortage/").content.decode()


def test_a_pledge_from_the_board_joins_the_request_and_goes_to_its_page(aid):
    case = aid.create()
    client = aid.page("zj-liaison")
    response = client.post(
        f"/supplies/shortage/pledge/{case.pk}/",
        {"request": case.pk, "line": 1, "line-1-quantity": "20000", "line-1-source": "warehouse:zj-medical-reserve"},
    )
    assert response.status_code == 302 and response["Location"] == case_url(case)
    pledge = Pledge.objects.get()
    assert (pledge.organisation.code, pledge.offered, pledge.line.number) == ("zj-liaison", 20000, 1)
    assert _free(aid, "zj-medical-reserve", "mask-n95") == 30000
    assert Participant.objects.filter(object_id=case.pk, organisation__code="zj-liaison", role="responder").exists()
    page = client.get(response["Location"]).content.decode()
    assert "sp-pledges" in page and "浙江省医药储备库" in page


def test_a_pledge_from_production_capacity_needs_its_ready_date(aid):
    case = aid.create()
    client = aid.page("zj-liaison")
    source = f"capacity:{aid.capacity.pk}"
    response = client.post(
        f"/supplies/shortage/pledge/{case.pk}/",
        {"request": case.pk, "line": 1, "line-1-quantity": "5000", "line-1-source": source},
    )
    assert response.status_code == 302 and response["Location"].startswith("/supplies/shortage/")
    form = _board_form(client.get(response["Location"]).content.decode(), case)
    ready_on = form[form.index('name="line-1-ready_on"') :]
    assert ready_on.index('class="field-error"') < ready_on.index("</td>")  # the error is the date's
    assert 'value="5000"' in form and f'value="{source}" selected' in form
    assert not Pledge.objects.exists()


def test_an_invalid_pledge_comes_back_with_its_error_and_what_was_typed(aid):
    case = aid.create()
    client = aid.page("zj-liaison")
    response = client.post(
        f"/supplies/shortage/pledge/{case.pk}/",
        {"request": case.pk, "line": 1, "line-1-quantity": "12.5", "line-1-source": "warehouse:zj-medical-reserve"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#line-{case.pk}-1")
    assert not Pledge.objects.exists()
    # Not a participant: the request's page stays closed to Zhejiang.
    assert client.get(case_url(case)).status_code == 404
    page = client.get(response["Location"]).content.decode()
    form = _board_form(page, case)
    assert 'role="alert"' in form and 'value="12.5"' in form
    assert 'role="alert"' not in _board_form(page, case, line=2)  # the other line's form is untouched
    assert f'aria-invalid="true" aria-describedby="b{case.reference}-line-1-quantity-error"' in form
    # Shown once: the next reading of the board is clean again.
    assert 'value="12.5"' not in client.get("/supplies/shortage/").content.decode()


def test_a_pledge_beyond_what_the_line_needs_names_the_line_and_keeps_the_quantity(aid):
    case = aid.create()
    client = aid.page("zj-liaison")
    response = client.post(
        f"/supplies/shortage/pledge/{case.pk}/",
        {"request": case.pk, "line": 2, "line-2-quantity": "6000", "line-2-source": "warehouse:zj-medical-reserve"},
        follow=True,
    )
    page = response.content.decode()
    assert not Pledge.objects.exists()
    assert 'value="6000"' in page and "5000" in page  # what line 2 still needs is in the message
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_pledge_to_ones_own_regions_request_is_refused(aid):
    case = aid.create()
    response = aid.page("js-liaison").post(
        f"/supplies/shortage/pledge/{case.pk}/",
        {"request": case.pk, "line": 1, "line-1-quantity": "100", "line-1-source": "warehouse:js-emergency-reserve"},
        follow=True,
    )
    assert not Pledge.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_flows_page_draws_what_was_dispatched_between_regions(aid):
    case = aid.create()
    aid.fire(case, "pledge", "zj-liaison", {"lines": [{"line": 1, "quantity": 100, "warehouse": "zj-medical-reserve"}]})
    pledge = Pledge.objects.get()
    aid.fire(case, "allocate", "js-liaison", {"accept": [{"pledge": pledge.pk, "quantity": 100}]})
    from datetime import timedelta

    from django.utils import timezone

    aid.fire(
        case,
        "dispatch",
        "zj-liaison",
        {
            "allocation": case.allocations.get().document_number,
            "vehicle_plate": "浙A12345",
            "driver_name": "李师傅",
            "driver_phone": "13812345678",
            "expected_arrival": (timezone.now() + timedelta(hours=5)).isoformat(),
            "lines": [{"pledge": pledge.pk, "quantity": 100}],
        },
    )
    page = aid.page("sh-leader").get("/supplies/flows/?item=mask-n95").content.decode()
    assert 'id="flows-chart-data"' in page and '"sankey"' in page
    assert "浙江省" in page and "江苏省" in page and ">100 " in page
    empty = aid.page("sh-leader").get("/supplies/flows/?item=suit-protective").content.decode()
    assert 'id="flows-chart-data"' not in empty


def test_the_board_costs_the_same_queries_whatever_the_number_of_requests(aid, django_assert_max_num_queries):
    aid.create()
    client = aid.page("zj-liaison")
    client.get("/supplies/shortage/")
    with django_assert_max_num_queries(60) as few:
        client.get("/supplies/shortage/")
    for _ in range(3):
        aid.create()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/supplies/shortage/")
