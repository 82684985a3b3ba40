"""The registry's start-up checks refuse a declaration that does not match the catalogue or
its model, a resource declared twice and a case model nobody registered; the real ones pass."""

import pytest
from django.core import checks

from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import DeclarationError, declaration_errors, member
from tests.mechanisms.plain_requests.mechanism import Create, Detail, PlainRequests, Row, plain_request_create
from tests.mechanisms.plain_requests.models import PlainRequest


def declaration(**overrides):
    attributes = {
        "code": "F3",
        "model": PlainRequest,
        "reference_code": "PLN",
        "resource": "plain-requests-again",
        "serializers": mechanisms.Serializers(row=Row, detail=Detail, create=Create),
        "create": plain_request_create,
        "may_create": member(),
        **overrides,
    }
    return type("Checked", (mechanisms.Mechanism,), attributes)


def codes(declared) -> list[str]:
    return [error.id for error in declaration_errors(declared)]


def test_the_registered_mechanisms_pass_the_checks():
    assert mechanisms.check_declarations() == []
    assert mechanisms.check_declarations in checks.registry.registry.get_checks()


def test_a_plain_declaration_is_sound():
    assert codes(declaration()) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"code": "Z9"}, "mechanisms.E002"),  # not in the catalogue
        ({"code": "M4"}, "mechanisms.E003"),  # the catalogue's M4 is request–offers–allocation
        ({"codes": ("F3", "M6"), "reference_code": {"F3": "PLN"}}, "mechanisms.E004"),
        ({"create": "not a function"}, "mechanisms.E006"),
        ({"may_create": lambda membership: True}, "mechanisms.E007"),
        ({"payloads": {"approve": Create}}, "mechanisms.E008"),  # request–reply has no approve
        ({"region_fields": ("insuring_region",)}, "mechanisms.E009"),
        ({"personal": mechanisms.Personal(encrypted=("id_number",))}, "mechanisms.E009"),
        ({"serializers": mechanisms.Serializers(row="no.such.Serializer", detail=Detail)}, "mechanisms.E005"),
        ({"model": object}, "mechanisms.E001"),
        (
            {"page_actions": ("approve",), "case_panel": "x.html", "case_context": dict, "page_payload": dict},
            "mechanisms.E011",
        ),
        ({"page_actions": ("reply",)}, "mechanisms.E012"),  # nothing renders nor reads its form
        ({"case_panel": "x.html"}, "mechanisms.E012"),  # a panel without its context
    ],
)
def test_a_declaration_that_does_not_match_is_refused(overrides, expected):
    assert expected in codes(declaration(**overrides))


def test_a_resource_declared_twice_is_refused():
    with pytest.raises(DeclarationError, match="plain-requests"):
        mechanisms.register(declaration(resource=PlainRequests.resource))


def test_a_declaration_missing_a_required_part_is_refused():
    incomplete = type("Incomplete", (mechanisms.Mechanism,), {"code": "F3", "model": PlainRequest})
    with pytest.raises(DeclarationError, match="does not declare"):
        mechanisms.register(incomplete)


def test_an_unregistered_case_model_fails_the_check(monkeypatch):
    monkeypatch.delitem(mechanisms._by_model, PlainRequest)
    errors = mechanisms.check_declarations()
    assert [e.id for e in errors] == ["mechanisms.E010"] and "plain_requests.PlainRequest" in errors[0].msg
