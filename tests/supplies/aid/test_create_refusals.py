"""Asking with a bad body: every refusal is a 400 in the one error shape naming the field (or
the line and its field), and nothing is written — no request, no line, no audit entry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.supplies.aid.steps import assert_error, footprint, line_errors


def _body(**fields):
    body = {
        "urgency": "critical",
        "needed_by": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "delivery_address": "江苏省南京市江宁区应急物资储备库",
        "contact_name": "王联络",
        "contact_phone": "13912345678",
        "lines": [{"item": "mask-n95", "quantity": 60000}, {"item": "suit-protective", "quantity": 5000}],
    }
    body.update(fields)
    return body


def _refused(aid, body, status=400, by="js-liaison"):
    before = footprint()
    response = aid.client(by).post("/api/v1/supply-requests/", body, format="json")
    assert response.status_code == status, response.content
    assert footprint() == before
    return response.json()


BAD_QUANTITIES = [
    pytest.param(0, id="zero"),
    pytest.param(-5, id="negative"),
    pytest.param("-0.5", id="negative-text"),
    pytest.param(1.5, id="fractional-masks"),
    pytest.param("2.5", id="fractional-masks-text"),
    pytest.param(1_000_000_001, id="absurd"),
    pytest.param(1e10, id="absurd-float"),
    pytest.param("1e400", id="absurd-exponent"),
    pytest.param("1e-400", id="tiny-exponent"),
    pytest.param("abc", id="non-numeric"),
    pytest.param("", id="empty"),
    pytest.param("NaN", id="nan"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("1" * 40, id="forty-digits"),
    pytest.param(True, id="bool"),
    pytest.param(None, id="null"),
    pytest.param([5], id="list"),
    pytest.param({"value": 5}, id="object"),
    pytest.param("12\x00", id="nul"),
]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_bad_quantity_is_refused_naming_the_line(aid, quantity):
    body = _refused(
        aid, _body(lines=[{"item": "suit-protective", "quantity": 10}, {"item": "mask-n95", "quantity": quantity}])
    )
    details = assert_error(body, "invalid")
    assert "quantity" in line_errors(details, 1), details


def test_a_measured_item_takes_three_decimal_places_but_not_four(aid):
    _refused(aid, _body(lines=[{"item": "hand-rub", "quantity": "12.3456"}]))
    case = aid.create(lines=[{"item": "hand-rub", "quantity": "12.345"}])
    assert case["lines"][0]["quantity"] == "12.345"


def test_an_unknown_item_code_is_refused(aid):
    details = assert_error(_refused(aid, _body(lines=[{"item": "mask-kn99", "quantity": 5}])), "invalid")
    assert "item" in line_errors(details, 0)


@pytest.mark.parametrize("code", ["mask-n95\x00", "x" * 5000, "", None, 7, ["mask-n95"]])
def test_a_malformed_item_code_is_refused(aid, code):
    details = assert_error(_refused(aid, _body(lines=[{"item": code, "quantity": 5}])), "invalid")
    assert "item" in line_errors(details, 0)


def test_a_unit_that_does_not_match_the_item_is_refused(aid):
    body = _refused(aid, _body(lines=[{"item": "mask-n95", "quantity": 5, "unit": "litre"}]))
    assert "unit" in line_errors(assert_error(body, "invalid"), 0)
    # The item's own unit is fine.
    aid.create(lines=[{"item": "mask-n95", "quantity": 5, "unit": "piece"}])


def test_an_item_twice_is_refused_naming_the_second_line(aid):
    lines = [
        {"item": "mask-n95", "quantity": 5},
        {"item": "suit-protective", "quantity": 5},
        {"item": "mask-n95", "quantity": 7},
    ]
    details = assert_error(_refused(aid, _body(lines=lines)), "invalid")
    assert "item" in line_errors(details, 2)


@pytest.mark.parametrize("lines", [[], "mask-n95", None, [{"item": "mask-n95", "quantity": 1}] * 51, ["mask-n95"]])
def test_lines_must_be_a_list_of_one_to_fifty(aid, lines):
    assert "lines" in assert_error(_refused(aid, _body(lines=lines)), "invalid")


@pytest.mark.parametrize(
    "needed_by",
    [
        pytest.param("yesterday", id="words"),
        pytest.param((timezone.localdate() - timedelta(days=1)).isoformat(), id="past"),
        pytest.param("0001-01-01", id="year-1"),
        pytest.param("9999-12-31", id="year-9999"),
        pytest.param("2026-02-30", id="no-such-day"),
        pytest.param(20260301, id="number"),
        pytest.param("2026-03-01\x00", id="nul"),
        pytest.param(None, id="null"),
    ],
)
def test_needed_by_must_be_a_date_from_today_to_a_year_ahead(aid, needed_by):
    assert "needed_by" in assert_error(_refused(aid, _body(needed_by=needed_by)), "invalid")


def test_unknown_keys_are_refused_at_the_top_and_in_a_line(aid):
    assert "priority" in assert_error(_refused(aid, _body(priority="high")), "invalid")
    lines = [{"item": "mask-n95", "quantity": 5, "colour": "blue"}]
    assert "colour" in line_errors(assert_error(_refused(aid, _body(lines=lines)), "invalid"), 0)
    # Fields the server sets are not the client's either.
    assert "state" in assert_error(_refused(aid, _body(state="allocated")), "invalid")
    assert "requesting_region" in assert_error(_refused(aid, _body(requesting_region="330000")), "invalid")


@pytest.mark.parametrize("field", ["title", "purpose", "delivery_address", "contact_name", "contact_phone"])
def test_a_nul_byte_in_a_string_is_refused(aid, field):
    assert field in assert_error(_refused(aid, _body(**{field: "南京\x00市"})), "invalid")


def test_a_nul_byte_in_a_lines_note_is_refused(aid):
    lines = [{"item": "mask-n95", "quantity": 5, "note": "KN95\x00"}]
    assert "note" in line_errors(assert_error(_refused(aid, _body(lines=lines)), "invalid"), 0)


@pytest.mark.parametrize(
    "field, length",
    [("title", 201), ("purpose", 2001), ("delivery_address", 301), ("contact_name", 65), ("contact_phone", 21)],
)
def test_a_string_longer_than_its_field_is_refused(aid, field, length):
    assert field in assert_error(_refused(aid, _body(**{field: "长" * length})), "invalid")


def test_a_huge_string_is_refused_not_stored(aid):
    lines = [{"item": "mask-n95", "quantity": 5, "note": "x" * 100_000}]
    details = assert_error(_refused(aid, _body(purpose="疫" * 300_000, lines=lines)), "invalid")
    assert "purpose" in details
    assert "note" in line_errors(details, 0)


def test_a_body_too_big_to_read_is_refused_in_the_error_shape(aid):
    response = aid.client("js-liaison").post("/api/v1/supply-requests/", _body(purpose="疫" * 1_000_000), format="json")
    assert response.status_code == 400
    assert aid.model.objects.count() == 0
    assert_error(response.json(), "body_too_large")


def test_a_receiving_warehouse_of_another_region_is_refused(aid):
    assert "receiving_warehouse" in assert_error(
        _refused(aid, _body(receiving_warehouse="zj-medical-reserve")), "invalid"
    )
    assert "receiving_warehouse" in assert_error(_refused(aid, _body(receiving_warehouse="no-such")), "invalid")


@pytest.mark.parametrize("body", [[], "lines", 5])
def test_a_body_that_is_not_an_object_is_refused(aid, body):
    assert_error(_refused(aid, body), "invalid")


@pytest.mark.parametrize("urgency", ["panic", "", None, 1])
def test_an_unknown_urgency_is_refused(aid, urgency):
    assert "urgency" in assert_error(_refused(aid, _body(urgency=urgency)), "invalid")


@pytest.mark.parametrize("who", ["wuxi-hospital", "sh-leader", "yrd-office", "outsider"])
def test_only_a_liaison_office_asks(aid, who):
    assert_error(_refused(aid, _body(), status=403, by=who), "permission_denied")
