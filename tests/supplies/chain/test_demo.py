"""The demo's F2 requests of February 2020: routed as the service routes, in several states, each
valid as the API would take it, created once however often the demo runs; and the scale data."""

from types import SimpleNamespace

from django.core.management import call_command
from django.utils import timezone

from coordination.demo import USERS_BY_ORG
from coordination.models import Organisation, Participant
from supplies.chain import demo as chain_demo
from supplies.chain.api import SupplyChainRequestCreateSerializer
from supplies.chain.models import SupplyChainRequest
from supplies.chain.payloads import SupplierReply
from supplies.chain.validation import uscc_clean


def parties(case) -> list[tuple[str, str]]:
    rows = Participant.objects.filter(content_type__model="supplychainrequest", object_id=case.pk).order_by("id")
    return [(p.organisation.code, p.role) for p in rows.select_related("organisation")]


def test_the_demo_files_the_2020_requests_in_several_states(db):
    call_command("seed_demo", verbosity=0)
    cases = {c.originator.code: c for c in SupplyChainRequest.objects.select_related("originator")}
    assert {code: c.state for code, c in cases.items()} == {
        "sh-liaison": "closed",
        "zj-liaison": "accepted",
        "suzhou-liaison": "submitted",
        "ningbo-liaison": "replied",
    }
    car_parts, meltblown = cases["sh-liaison"], cases["zj-liaison"]
    assert parties(car_parts) == [
        ("sh-liaison", "originator"),
        ("suzhou-liaison", "responder"),
        ("js-liaison", "observer"),
    ]
    assert parties(meltblown) == [("zj-liaison", "originator"), ("js-liaison", "responder")]
    assert parties(cases["suzhou-liaison"]) == [
        ("suzhou-liaison", "originator"),
        ("ningbo-liaison", "responder"),
        ("zj-liaison", "observer"),
    ]
    assert parties(cases["ningbo-liaison"]) == [("ningbo-liaison", "originator"), ("ah-liaison", "responder")]
    assert "熔喷布" in meltblown.title and meltblown.supplier_city_id == "321000"
    assert [s["name"] for s in car_parts.suppliers] == ["苏州工业园区某线束有限公司", "昆山某电子有限公司"]
    assert car_parts.reference.startswith("SH-SCM-")
    call_command("seed_demo", verbosity=0)
    assert SupplyChainRequest.objects.count() == 4
    call_command("verify_audit", verbosity=0)


def test_the_demo_requests_and_reply_are_valid_api_input(db):
    from coordination.demo import seed, seed_city_liaison_offices

    seed()
    seed_city_liaison_offices()
    for filed_by, fields, steps in chain_demo.REQUESTS:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=USERS_BY_ORG[filed_by])
        body = {
            **fields,
            "quantity": str(fields["quantity"]),
            "needed_by": (timezone.localdate() + timezone.timedelta(days=fields["needed_by"])).isoformat(),
        }
        serializer = SupplyChainRequestCreateSerializer(data=body, context={"request": SimpleNamespace(user=user)})
        assert serializer.is_valid(), (fields["title"], serializer.errors)
        for _by, name, data in steps:
            if name == "reply":
                suppliers = [
                    {**s, "resumption_date": chain_demo._in_days(s["resumption_date"])} for s in data["suppliers"]
                ]
                reply = SupplierReply(data={**data, "suppliers": suppliers})
                assert reply.is_valid(), reply.errors


def test_the_demo_adds_the_city_offices_after_the_measure_notices_went_to_the_provincial_ones(db):
    from coordination.mechanisms.measure_notices.models import MeasureNotice

    call_command("seed_demo", verbosity=0)
    assert {o.code for o in Organisation.objects.filter(city_id__in=["320500", "330200"])} == {
        "suzhou-liaison",
        "ningbo-liaison",
    }
    addressed = Participant.objects.filter(content_type__model="measurenotice", role="addressee")
    assert not addressed.filter(organisation__code__in=["suzhou-liaison", "ningbo-liaison"]).exists()
    assert MeasureNotice.objects.exists()


def test_the_scale_data_routes_and_covers_every_state(db):
    from coordination.demo import seed_city_liaison_offices, seed_organisations, seed_users
    from coordination.workflow.audit import audit_verify

    seed_users(seed_organisations())
    seed_city_liaison_offices()
    call_command("generate_scale_data", supply_chain=40, seed=7, end=timezone.localdate(), verbosity=0)
    assert SupplyChainRequest.objects.count() == 40
    assert set(SupplyChainRequest.objects.values_list("state", flat=True)) == set(SupplyChainRequest.State.values)
    for case in SupplyChainRequest.objects.select_related("originator", "supplier_city__parent"):
        assert case.supplier_region_id == case.supplier_city.province.code != case.originator.region_id
        assert uscc_clean(case.requester_credit_code) == case.requester_credit_code
        responders = {
            p.organisation.code
            for p in Participant.objects.filter(
                content_type__model="supplychainrequest", object_id=case.pk, role="responder"
            ).select_related("organisation")
        }
        expected = {"320500": "suzhou-liaison", "330200": "ningbo-liaison"}.get(case.supplier_city_id)
        assert expected is None or responders == {expected}
    replied = SupplyChainRequest.objects.filter(state__in=["replied", "closed"]).first()
    assert replied.suppliers and replied.suppliers[0]["city"] == replied.supplier_city_id
    assert audit_verify()[1] is None
