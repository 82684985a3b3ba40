"""Fixtures of the INS tests. Personas: the filing hospital (Wuxi, Jiangsu), the insuring
centre (Shanghai), another hospital, another region's centre, a leader, the Office."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from coordination.models import Membership
from coordination.pii.idcard import with_check_character
from tests.factories import MembershipFactory

# A Shanghai-registered man born 1980-01-01 (sequence 123: odd, male).
ID_NUMBER = with_check_character("31010119800101123")


@pytest.fixture
def ins(demo):
    unmask = Permission.objects.get(codename="unmask_insurancefiling")
    for username in ("wuxi-hospital", "sh-insurance"):
        demo.user(username).user_permissions.add(unmask)
    MembershipFactory(
        user__username="tongling-hospital",
        organisation=demo.org("tongling-peoples-hospital"),
        role=Membership.Role.HOSPITAL_FILER,
    )
    MembershipFactory(
        user__username="sh-insurance-junior",
        organisation=demo.org("sh-insurance"),
        role=Membership.Role.INSURANCE_REVIEWER,
    )
    return demo


def filing_data(**overrides) -> dict:
    data = {
        "patient_name": "张三",
        "id_number": ID_NUMBER,
        "sex": "male",
        "birth_date": "1980-01-01",
        "insurance_type": "employee",
        "insuring_city": "310000",
        "filing_type": "emergency",
        "diagnosis": "U07.1",
        "admission_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "phone": "13800138000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def file_filing(ins):
    """`file_filing(by="wuxi-hospital", **fields)`: a filing through the service."""
    from coordination.mechanisms.insurance.api import InsuranceFilingCreateSerializer
    from coordination.mechanisms.insurance.services import insurance_filing_create

    def make(by="wuxi-hospital", **overrides):
        shaped = InsuranceFilingCreateSerializer(data=filing_data(**overrides))
        shaped.is_valid(raise_exception=True)
        return insurance_filing_create(by=ins.user(by), **shaped.validated_data)

    return make


def approval(**overrides):
    today = date.today()
    return {"effective_from": today.isoformat(), "valid_until": (today + timedelta(days=90)).isoformat(), **overrides}
