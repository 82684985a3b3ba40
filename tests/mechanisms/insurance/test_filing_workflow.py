"""A filing's life: filed, returned for correction, corrected and resubmitted, approved with a
receipt code; or rejected with a reason code; duplicates refused."""

import pytest

from coordination.errors import Invalid
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.mechanisms.insurance.services import DuplicateFiling
from coordination.models import AuditEntry, Participant
from coordination.pii.idcard import with_check_character
from coordination.workflow.engine import transition_fire
from tests.mechanisms.insurance.conftest import approval


def test_a_filing_is_routed_to_the_insuring_regions_centre(ins, file_filing):
    filing = file_filing(insuring_city="310000")
    assert filing.insuring_centre == ins.org("sh-insurance")
    assert filing.insuring_region_id == "310000"
    assert filing.treating_city_id == "320200"
    assert filing.reference.startswith("JS-INS-")
    roles = {(p.organisation.code, p.role) for p in Participant.objects.filter(object_id=filing.pk)}
    assert ("sh-insurance", "responder") in roles and ("wuxi-peoples-hospital", "originator") in roles


def test_a_filing_has_no_personal_data_in_its_title(file_filing):
    filing = file_filing()
    assert "张三" not in filing.title and filing.id_number not in filing.title


def test_return_correction_resubmission_then_approval_keeps_the_history(ins, file_filing):
    filing = file_filing(phone="13800138000")
    centre, hospital = ins.user("sh-insurance"), ins.user("wuxi-hospital")
    transition_fire(
        InsuranceFiling,
        filing.pk,
        "return_for_correction",
        by=centre,
        data={"return_reason": "联系电话无法接通", "fields_to_correct": ["phone"]},
    )
    filing.refresh_from_db()
    assert filing.state == "returned" and filing.fields_to_correct == ["phone"]
    transition_fire(InsuranceFiling, filing.pk, "resubmit", by=hospital, data={"phone": "13900139000"})
    filing.refresh_from_db()
    assert filing.state == "submitted" and filing.phone == "13900139000" and filing.resubmissions == 1
    assert filing.fields_to_correct == []
    transition_fire(InsuranceFiling, filing.pk, "approve", by=centre, data=approval())
    filing.refresh_from_db()
    assert filing.state == "approved" and filing.decided_at and filing.valid_until
    assert len(filing.receipt_digest) == 64
    trail = list(AuditEntry.objects.filter(object_id=filing.pk, content_type__model="insurancefiling").order_by("seq"))
    assert [e.transition for e in trail] == ["create", "return_for_correction", "resubmit", "approve"]
    assert trail[2].payload["corrected"] == ["phone"]
    assert trail[2].payload["phone"] == "139****9000"


def test_a_resubmission_is_validated_like_a_filing(ins, file_filing):
    filing = file_filing()
    transition_fire(
        InsuranceFiling,
        filing.pk,
        "return_for_correction",
        by=ins.user("sh-insurance"),
        data={"return_reason": "x", "fields_to_correct": ["birth_date"]},
    )
    with pytest.raises(Invalid) as caught:
        transition_fire(
            InsuranceFiling, filing.pk, "resubmit", by=ins.user("wuxi-hospital"), data={"birth_date": "1981-01-01"}
        )
    assert "birth_date" in caught.value.details


def test_a_corrected_id_number_never_reaches_the_audit_trail(ins, file_filing):
    filing = file_filing()
    transition_fire(
        InsuranceFiling,
        filing.pk,
        "return_for_correction",
        by=ins.user("sh-insurance"),
        data={"return_reason": "x", "fields_to_correct": ["id_number"]},
    )
    corrected = with_check_character("31010119800101135")
    transition_fire(InsuranceFiling, filing.pk, "resubmit", by=ins.user("wuxi-hospital"), data={"id_number": corrected})
    payloads = " ".join(str(e.payload) for e in AuditEntry.objects.filter(object_id=filing.pk))
    assert corrected not in payloads
    filing.refresh_from_db()
    assert filing.id_number == corrected


def test_a_rejection_carries_a_reason_code(ins, file_filing):
    filing = file_filing()
    transition_fire(
        InsuranceFiling,
        filing.pk,
        "reject",
        by=ins.user("sh-insurance"),
        data={"reject_reason_code": "not_insured", "return_reason": "未查询到参保记录"},
    )
    filing.refresh_from_db()
    assert filing.state == "rejected" and filing.reject_reason_code == "not_insured" and filing.due_at is None


def test_a_rejection_without_a_known_reason_code_is_refused(ins, file_filing):
    filing = file_filing()
    with pytest.raises(Invalid):
        transition_fire(
            InsuranceFiling, filing.pk, "reject", by=ins.user("sh-insurance"), data={"reject_reason_code": "bored"}
        )


def test_an_open_filing_for_the_same_person_is_refused_with_a_link(file_filing):
    first = file_filing()
    with pytest.raises(DuplicateFiling) as caught:
        file_filing(hospital_reference="ANOTHER")
    assert caught.value.details["existing"]["reference"] == first.reference
    assert caught.value.details["existing"]["url"].endswith(f"/{first.pk}/")


def test_an_approved_filing_still_valid_counts_as_open(ins, file_filing):
    first = file_filing()
    transition_fire(InsuranceFiling, first.pk, "approve", by=ins.user("sh-insurance"), data=approval())
    with pytest.raises(DuplicateFiling):
        file_filing()


def test_after_a_rejection_the_person_can_be_filed_again(ins, file_filing):
    first = file_filing()
    transition_fire(
        InsuranceFiling, first.pk, "reject", by=ins.user("sh-insurance"), data={"reject_reason_code": "other"}
    )
    assert file_filing().pk != first.pk


def test_another_hospital_may_file_the_same_person(ins, file_filing):
    file_filing()
    assert file_filing(by="tongling-hospital").originator.code == "tongling-peoples-hospital"


def test_the_hospital_cannot_approve_its_own_filing(ins, file_filing):
    from django.core.exceptions import PermissionDenied

    filing = file_filing()
    with pytest.raises(PermissionDenied):
        transition_fire(InsuranceFiling, filing.pk, "approve", by=ins.user("wuxi-hospital"), data=approval())
