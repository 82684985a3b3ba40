"""The request's panel on the case page: its forms, shown to whom may use them, post through
the case page's transition URL with the API's validation; refused, they come back with the
error on the row and everything typed."""

import re
from datetime import timedelta

from django.utils import timezone

from supplies.models import Pledge, Shipment, Shortfall, SupplyRequest
from tests.supplies.pages.conftest import case_url, transition_url


def forms_on(page: str, case) -> set[str]:
    return set(re.findall(rf'action="/cases/supply-requests/{case.pk}/transitions/(\w+)/"', page))


def form_of(page: str, form_id: str) -> str:
    form = page[page.index(f'id="{form_id}"') :]
    return form[: form.index("</form>")]


def _pledged(aid):
    case = aid.create()
    aid.fire(
        case,
        "pledge",
        "zj-liaison",
        {
            "lines": [
                {"line": 1, "quantity": 40000, "warehouse": "zj-medical-reserve"},
                {"line": 2, "quantity": 4000, "warehouse": "zj-medical-reserve"},
            ]
        },
    )
    aid.fire(
        case, "pledge", "ah-liaison", {"lines": [{"line": 1, "quantity": 25000, "warehouse": "ah-emergency-reserve"}]}
    )
    return case


def _allocated(aid):
    case = _pledged(aid)
    pledges = {
        (p.organisation.code, p.line.number): p.pk for p in Pledge.objects.select_related("organisation", "line")
    }
    aid.fire(
        case,
        "allocate",
        "js-liaison",
        {
            "accept": [
                {"pledge": pledges["zj-liaison", 1], "quantity": 40000},
                {"pledge": pledges["zj-liaison", 2], "quantity": 4000},
            ]
        },
    )
    return case, pledges


def _dispatched(aid):
    case, pledges = _allocated(aid)
    aid.fire(
        case,
        "dispatch",
        "zj-liaison",
        {
            "allocation": case.allocations.get().document_number,
            "vehicle_plate": "浙A12345",
            "driver_name": "李师傅",
            "driver_phone": "13812345678",
            "expected_arrival": (timezone.now() + timedelta(hours=6)).isoformat(),
            "lines": [
                {"pledge": pledges["zj-liaison", 1], "quantity": 40000},
                {"pledge": pledges["zj-liaison", 2], "quantity": 4000},
            ],
        },
    )
    return case, pledges


def test_the_requester_gets_the_allocation_form_prefilled_with_what_was_pledged(aid):
    case = _pledged(aid)
    page = aid.page("js-liaison").get(case_url(case)).content.decode()
    assert {"allocate", "cancel"} <= forms_on(page, case) and "pledge" not in forms_on(page, case)
    form = form_of(page, "form-allocate")
    zj1 = Pledge.objects.get(organisation__code="zj-liaison", line__number=1)
    ah1 = Pledge.objects.get(organisation__code="ah-liaison")
    assert f'name="accept-{zj1.pk}" value="40000"' in form
    # Line 1 asks 60,000: the prefilled 40,000 + 25,000 would be too much, so 20,000 is offered.
    assert f'name="accept-{ah1.pk}" value="20000"' in form


def test_a_pledger_gets_pledge_and_withdraw_forms_and_no_allocation_form(aid):
    case = _pledged(aid)
    page = aid.page("zj-liaison").get(case_url(case)).content.decode()
    assert {"pledge", "withdraw_pledge"} <= forms_on(page, case) and "allocate" not in forms_on(page, case)


def test_the_office_sees_the_panel_without_a_form(aid):
    case = _pledged(aid)
    page = aid.page("yrd-office").get(case_url(case)).content.decode()
    assert "sp-pledges" in page and forms_on(page, case) == set()


def test_allocating_from_the_page_issues_orders_and_links_their_pdf(aid):
    case = _pledged(aid)
    zj1 = Pledge.objects.get(organisation__code="zj-liaison", line__number=1)
    zj2 = Pledge.objects.get(organisation__code="zj-liaison", line__number=2)
    ah1 = Pledge.objects.get(organisation__code="ah-liaison")
    client = aid.page("js-liaison")
    response = client.post(
        transition_url(case, "allocate"),
        {f"accept-{zj1.pk}": "40000", f"accept-{zj2.pk}": "4000", f"accept-{ah1.pk}": "0"},
    )
    assert response.status_code == 302 and response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.state == SupplyRequest.S.ALLOCATED
    ah1.refresh_from_db()
    assert ah1.state == Pledge.S.RELEASED
    order = case.allocations.get()
    page = client.get(case_url(case)).content.decode()
    assert f'href="/api/v1/allocation-orders/{order.pk}/pdf/"' in page and order.document_number in page


def test_an_allocation_beyond_a_pledge_comes_back_with_the_quantities_typed(aid):
    case = _pledged(aid)
    zj1 = Pledge.objects.get(organisation__code="zj-liaison", line__number=1)
    client = aid.page("js-liaison")
    response = client.post(transition_url(case, "allocate"), {f"accept-{zj1.pk}": "45000"}, follow=True)
    page = response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert f'name="accept-{zj1.pk}" value="45000"' in form_of(page, "form-allocate")
    assert SupplyRequest.objects.get(pk=case.pk).state == SupplyRequest.S.OPEN


def test_an_invalid_allocation_quantity_is_shown_on_its_pledge(aid):
    case = _pledged(aid)
    zj1 = Pledge.objects.get(organisation__code="zj-liaison", line__number=1)
    client = aid.page("js-liaison")
    client.post(transition_url(case, "allocate"), {f"accept-{zj1.pk}": "abc"})
    form = form_of(client.get(case_url(case)).content.decode(), "form-allocate")
    row = form[form.index(f'name="accept-{zj1.pk}"') :]
    assert 'value="abc"' in row and row.index('class="field-error"') < row.index("</tr>")


def test_dispatching_from_the_page_keeps_everything_typed_when_the_plate_is_wrong(aid):
    case, pledges = _allocated(aid)
    order = case.allocations.get()
    client = aid.page("zj-liaison")
    typed = {
        "allocation": order.pk,
        "vehicle_plate": "ABC",
        "driver_name": "李师傅",
        "driver_phone": "13812345678",
        "route": "杭州—湖州—南京",
        "expected_arrival": (timezone.localtime() + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        f"ship-{pledges['zj-liaison', 1]}": "30000",
        f"ship-{pledges['zj-liaison', 2]}": "4000",
    }
    client.post(transition_url(case, "dispatch"), typed)
    assert not Shipment.objects.exists()
    form = form_of(client.get(case_url(case)).content.decode(), f"form-dispatch-{order.pk}")
    assert 'value="ABC"' in form and 'value="杭州—湖州—南京"' in form and 'value="30000"' in form
    plate = form[form.index('name="vehicle_plate"') :]
    assert plate.index('class="field-error"') < plate.index("</div>")
    typed["vehicle_plate"] = "浙A12345"
    response = client.post(transition_url(case, "dispatch"), typed)
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.vehicle_plate == "浙A12345" and sorted(shipment.lines.values_list("quantity", flat=True)) == [
        4000,
        30000,
    ]


def test_a_hop_is_recorded_from_the_page_and_shown_on_the_timeline(aid):
    case, _pledges = _dispatched(aid)
    client = aid.page("zj-liaison")
    response = client.post(
        transition_url(case, "record_hop"), {"shipment": "1", "kind": "checkpoint", "place": "G25长深高速湖州收费站"}
    )
    assert response.status_code == 302
    page = client.get(case_url(case)).content.decode()
    assert "G25长深高速湖州收费站" in page[page.index('class="timeline"') :]


def test_a_receipt_short_of_what_was_sent_needs_its_reason_on_that_line(aid):
    case, _pledges = _dispatched(aid)
    shipment = Shipment.objects.get()
    masks, suits = sorted(shipment.lines.all(), key=lambda line: line.pledge.line.number)
    client = aid.page("js-liaison")
    client.post(
        transition_url(case, "confirm_receipt"),
        {"shipment": "1", f"received-{masks.pk}": "40000", f"received-{suits.pk}": "3800"},
    )
    assert Shipment.objects.get().received_at is None
    form = form_of(client.get(case_url(case)).content.decode(), "form-confirm_receipt-1")
    assert f'name="received-{suits.pk}" value="3800"' in form
    reason = form[form.index(f'name="reason-{suits.pk}"') :]
    assert reason.index('class="field-error"') < reason.index("</tr>")
    response = client.post(
        transition_url(case, "confirm_receipt"),
        {
            "shipment": "1",
            f"received-{masks.pk}": "40000",
            f"received-{suits.pk}": "3800",
            f"reason-{suits.pk}": "运输途中受潮破损200件",
        },
    )
    assert response.status_code == 302
    shortfall = Shortfall.objects.get()
    assert shortfall.quantity == 200
    page = client.get(case_url(case)).content.decode()
    assert f'id="form-reconcile_shortfall-{shortfall.pk}"' in page


def test_a_shortfall_is_reconciled_from_the_page(aid):
    case, _pledges = _dispatched(aid)
    shipment = Shipment.objects.get()
    masks, suits = sorted(shipment.lines.all(), key=lambda line: line.pledge.line.number)
    aid.fire(
        case,
        "confirm_receipt",
        "js-liaison",
        {
            "shipment": 1,
            "lines": [
                {"shipment_line": masks.pk, "received": 40000},
                {"shipment_line": suits.pk, "received": 3800, "shortfall_reason": "受潮"},
            ],
        },
    )
    shortfall = Shortfall.objects.get()
    client = aid.page("js-liaison")
    client.post(transition_url(case, "reconcile_shortfall"), {"shortfall": shortfall.pk, "note": "请补发"})
    page = client.get(case_url(case)).content.decode()
    assert 'value="请补发"' in form_of(page, f"form-reconcile_shortfall-{shortfall.pk}")  # no resolution chosen
    client.post(transition_url(case, "reconcile_shortfall"), {"shortfall": shortfall.pk, "resolution": "written_off"})
    assert Shortfall.objects.get().resolution == "written_off"


def test_a_pledger_withdraws_a_pledge_from_the_page(aid):
    case = _pledged(aid)
    ah1 = Pledge.objects.get(organisation__code="ah-liaison")
    client = aid.page("ah-liaison")
    client.post(transition_url(case, "withdraw_pledge"), {f"withdraw-{ah1.pk}": "1"})
    assert Pledge.objects.get(pk=ah1.pk).state == Pledge.S.OFFERED  # no reason given
    form = form_of(client.get(case_url(case)).content.decode(), "form-withdraw_pledge")
    assert f'name="withdraw-{ah1.pk}" value="1" checked' in form
    client.post(transition_url(case, "withdraw_pledge"), {f"withdraw-{ah1.pk}": "1", "reason": "本省急需"})
    assert Pledge.objects.get(pk=ah1.pk).state == Pledge.S.WITHDRAWN


def test_a_participant_pledges_more_from_the_request_page(aid):
    case = _pledged(aid)
    client = aid.page("zj-liaison")
    response = client.post(
        transition_url(case, "pledge"),
        {"line-2-quantity": "500", "line-2-source": "warehouse:zj-medical-reserve", "line-1-quantity": ""},
    )
    assert response.status_code == 302
    assert Pledge.objects.filter(organisation__code="zj-liaison", line__number=2).count() == 2


def test_the_generic_reason_forms_stay_on_the_page(aid):
    case, _pledges = _allocated(aid)
    page = aid.page("js-liaison").get(case_url(case)).content.decode()
    assert {"seek_pledges", "cancel"} <= forms_on(page, case)


def test_the_case_page_costs_the_same_queries_whatever_the_number_of_pledges(aid, django_assert_max_num_queries):
    case = _pledged(aid)
    client = aid.page("js-liaison")
    client.get(case_url(case))
    with django_assert_max_num_queries(80) as few:
        client.get(case_url(case))
    for warehouse, organisation in (("sh-medical-reserve", "sh-liaison"),):
        from supplies.services import stock_receive

        stock_receive(
            aid.stock.warehouse(warehouse),
            aid.stock.item("suit-protective"),
            900,
            by=aid.user(organisation),
            reason="入库",
        )
    for _ in range(4):
        aid.fire(
            case, "pledge", "sh-liaison", {"lines": [{"line": 2, "quantity": 100, "warehouse": "sh-medical-reserve"}]}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(case_url(case))
