"""The new request form: lines as many as needed, the API's create validation, errors by field
and line, nothing typed lost."""

from datetime import timedelta

from django.utils import timezone

from supplies.models import SupplyRequest

URL = "/supplies/requests/new/"


def _body(**fields):
    body = {
        "urgency": "critical",
        "needed_by": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "delivery_address": "江苏省南京市江宁区应急物资储备库",
        "receiving_warehouse": "js-emergency-reserve",
        "contact_name": "王联络",
        "contact_phone": "13912345678",
        "lines-0-item": "mask-n95",
        "lines-0-quantity": "60000",
        "lines-1-item": "suit-protective",
        "lines-1-quantity": "5000",
        "lines-1-note": "连体式",
    }
    body.update(fields)
    return body


def test_the_form_offers_the_catalogue_with_units_and_the_users_warehouses(aid):
    page = aid.page("js-liaison").get(URL).content.decode()
    assert 'name="lines-0-item"' in page and 'data-unit="' in page and 'id="request-line-template"' in page
    assert 'value="js-emergency-reserve"' in page and "zj-medical-reserve" not in page


def test_a_request_is_filed_with_its_lines(aid):
    response = aid.page("js-liaison").post(URL, _body())
    request = SupplyRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/supply-requests/{request.pk}/"
    assert [(line.item.code, line.quantity, line.note) for line in request.lines.order_by("number")] == [
        ("mask-n95", 60000, ""),
        ("suit-protective", 5000, "连体式"),
    ]
    assert request.receiving_warehouse.code == "js-emergency-reserve"


def test_empty_lines_are_no_lines(aid):
    aid.page("js-liaison").post(URL, _body(**{"lines-5-item": "", "lines-5-quantity": "", "lines-5-note": ""}))
    assert SupplyRequest.objects.get().lines.count() == 2


def test_a_field_error_is_shown_by_its_field_and_nothing_typed_is_lost(aid):
    response = aid.page("js-liaison").post(URL, _body(needed_by="", contact_phone="12"))
    page = response.content.decode()
    assert response.status_code == 200 and not SupplyRequest.objects.exists()
    assert 'role="alert"' in page and 'aria-describedby="r-needed_by-error"' in page
    assert 'aria-describedby="r-phone-error"' in page and 'value="12"' in page
    assert 'value="王联络"' in page and 'value="60000"' in page and 'value="连体式"' in page
    assert 'value="suit-protective" data-unit="件" selected' in page


def test_a_lines_error_is_shown_on_that_line(aid):
    page = aid.page("js-liaison").post(URL, _body(**{"lines-1-quantity": "12.5"})).content.decode()
    assert not SupplyRequest.objects.exists() and 'role="alert"' in page
    second = page[page.index('name="lines-1-quantity"') :]
    assert second.startswith('name="lines-1-quantity" value="12.5"')
    assert second.index('class="field-error"') < second.index("</td>")
    first = page[page.index('name="lines-0-quantity"') :]
    assert 'class="field-error"' not in first[: first.index("</td>")]


def test_the_service_refusal_of_a_repeated_item_names_its_line(aid):
    page = aid.page("js-liaison").post(URL, _body(**{"lines-1-item": "mask-n95"})).content.decode()
    assert not SupplyRequest.objects.exists()
    second = page[page.index('name="lines-1-item"') :]
    assert second.index('class="field-error"') < second.index("</td>")


def test_a_request_needs_a_line(aid):
    body = {k: v for k, v in _body().items() if not k.startswith("lines-")}
    page = aid.page("js-liaison").post(URL, body).content.decode()
    assert not SupplyRequest.objects.exists() and 'role="alert"' in page and 'name="lines-0-item"' in page


def test_add_a_line_without_javascript_keeps_what_was_typed(aid):
    page = aid.page("js-liaison").post(URL, _body(add_line="1")).content.decode()
    assert not SupplyRequest.objects.exists()
    assert 'name="lines-2-item"' in page and 'value="60000"' in page and 'role="alert"' not in page
