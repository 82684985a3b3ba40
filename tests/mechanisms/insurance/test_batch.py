"""The batch of filings goes through the engine's bulk path: each item ends as it would filed
one after another (created, duplicate or invalid), the created ones are written together,
all or nothing, and simultaneous batches stay consistent."""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.exceptions import ValidationError

from coordination import events
from coordination.mechanisms.insurance.api import InsuranceFilingCreateSerializer
from coordination.mechanisms.insurance.models import InsuranceFiling, InsuranceFilingGroupObjectPermission
from coordination.mechanisms.insurance.services import (
    DuplicateFiling,
    insurance_filing_create,
    insurance_filings_batch_create,
)
from coordination.models import AuditEntry, OutboxEvent, Participant, ReferenceSequence
from coordination.pii.idcard import sex_of, with_check_character
from coordination.workflow.audit import audit_verify
from notices.models import Notice
from tests.concurrency import run_at_once
from tests.mechanisms.insurance.conftest import filing_data

URL = "/api/v1/insurance-filings/batch/"


@pytest.fixture(autouse=True, params=["copy", "insert"])
def insert_by(request, monkeypatch):
    """Each test twice: rows streamed by COPY, and sent by INSERT (few rows, or not PostgreSQL)."""
    from coordination.workflow import bulk

    monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 1 if request.param == "copy" else 10**9)
    return request.param


def person(n: int, **overrides) -> dict:
    """A Shanghai-insured person born 1990-02-15, the n-th of the day."""
    number = with_check_character(f"31010119900215{n:03d}")
    return filing_data(**{"id_number": number, "birth_date": "1990-02-15", "sex": sex_of(number), **overrides})


def shaped(items: list[dict]) -> list[dict]:
    """The items as the API hands them to the service (validated by the create serializer)."""
    serializer = InsuranceFilingCreateSerializer()
    return [dict(serializer.run_validation(item)) for item in items]


def stored(filing: InsuranceFiling) -> dict:
    """What a created filing holds, without what differs between two hospitals or two moments."""
    content_type = ContentType.objects.get_for_model(filing)
    rows = {"content_type": content_type, "object_id": filing.pk}
    filing = InsuranceFiling.objects.get(pk=filing.pk)
    return {
        "fields": (
            filing.title,
            filing.state,
            filing.version,
            filing.patient_name,
            filing.id_number,
            filing.id_number_hash,
            filing.id_number_masked,
            filing.phone,
            filing.phone_hash,
            filing.phone_masked,
            filing.sex,
            filing.birth_date,
            filing.insurance_type,
            filing.insuring_city_id,
            filing.insuring_region_id,
            filing.insuring_centre.code,
            filing.filing_type,
            filing.diagnosis_id,
            filing.admission_date,
            filing.due_at - filing.created_at if filing.filing_type == "emergency" else filing.due_at.date(),
        ),
        "participants": sorted(Participant.objects.filter(**rows).values_list("organisation__kind", "role")),
        "permissions": sorted(
            InsuranceFilingGroupObjectPermission.objects.filter(content_object_id=filing.pk).values_list(
                "permission__codename", flat=True
            )
        ),
        "audit": list(AuditEntry.objects.filter(**rows).values_list("seq", "transition", "to_state", "payload")),
        "events": list(OutboxEvent.objects.filter(**rows).values_list("kind", "payload__state")),
        "notices": sorted(Notice.objects.filter(**rows).values_list("recipient__username", "kind")),
    }


def test_a_batch_ends_each_item_as_filing_them_one_after_another_would(ins, file_filing):
    items = [
        person(1, hospital_reference="H-1"),
        person(2, hospital_reference="H-2", filing_type="referral", diagnosis="c34.9"),
        person(1, hospital_reference="H-3"),  # the same person as H-1
        person(3, hospital_reference="H-1"),  # H-1's reference again
        person(4, hospital_reference="H-4", birth_date="1990-02-16"),  # does not match the ID number
        person(5, hospital_reference="H-5"),  # filed before the batch
        person(6, hospital_reference=""),
        person(6, hospital_reference="H-7"),  # the same person as the one before
        person(7, hospital_reference="H-8", phone="12345"),
    ]
    # The batch by one hospital; the same items filed one by one by another.
    before = {by: file_filing(by=by, **person(5)) for by in ("wuxi-hospital", "tongling-hospital")}
    batch = insurance_filings_batch_create(by=ins.user("wuxi-hospital"), items=shaped(items))
    one_by_one = []
    for item in shaped(items):
        try:
            one_by_one.append(insurance_filing_create(by=ins.user("tongling-hospital"), **item))
        except (DuplicateFiling, ValidationError) as exc:
            one_by_one.append(exc)

    assert [(r.index, r.hospital_reference) for r in batch] == [
        (i, item["hospital_reference"]) for i, item in enumerate(items)
    ]
    kinds = ["created", "created", "duplicate", "duplicate", "invalid", "duplicate", "created", "duplicate", "invalid"]
    assert [r.result for r in batch] == kinds
    as_result = {InsuranceFiling: "created", DuplicateFiling: "duplicate", ValidationError: "invalid"}
    assert [as_result[type(o)] for o in one_by_one] == kinds
    assert [r.errors for r in batch if r.result == "invalid"] == [
        o.detail for o in one_by_one if isinstance(o, ValidationError)
    ]

    # Each duplicate names the same filing: created earlier in the batch, or filed before it.
    def names(filings: list, prior) -> dict:
        return {prior.reference: "before", **{f.reference: f"item {i}" for i, f in filings if f is not None}}

    batch_names = names([(r.index, r.filing) for r in batch], before["wuxi-hospital"])
    single_names = names(
        [(i, o) for i, o in enumerate(one_by_one) if isinstance(o, InsuranceFiling)], before["tongling-hospital"]
    )
    assert [batch_names[r.existing["reference"]] for r in batch if r.result == "duplicate"] == [
        single_names[o.existing.reference] for o in one_by_one if isinstance(o, DuplicateFiling)
    ]
    assert [batch_names[r.existing["reference"]] for r in batch if r.result == "duplicate"] == [
        "item 0",
        "item 0",
        "before",
        "item 6",
    ]

    # What each created filing holds is what filing it alone stores.
    created = [r.filing for r in batch if r.result == "created"]
    singles = [o for o in one_by_one if isinstance(o, InsuranceFiling)]
    assert [stored(filing) for filing in created] == [stored(filing) for filing in singles]
    assert [int(f.reference.rsplit("-", 1)[1]) for f in created] == [2, 3, 4]  # after the one filed before
    assert audit_verify()[1] is None


def test_the_api_reports_a_batch_per_item_and_replays_it(ins, api_as):
    client = api_as(ins.user("wuxi-hospital"))
    items = [person(n, hospital_reference=f"R-{n}") for n in range(1, 6)] + [{"hospital_reference": "R-x"}]
    body = client.post(URL, {"filings": items}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1").json()
    assert (body["created"], body["duplicate"], body["invalid"]) == (5, 0, 1)
    references = [row["reference"] for row in body["results"][:5]]
    assert [int(r.rsplit("-", 1)[1]) for r in references] == [1, 2, 3, 4, 5]
    replay = client.post(URL, {"filings": items}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert replay.json() == body and InsuranceFiling.objects.count() == 5
    again = client.post(URL, {"filings": items}, format="json").json()
    assert [row["result"] for row in again["results"]] == ["duplicate"] * 5 + ["invalid"]
    assert [row["existing"]["reference"] for row in again["results"][:5]] == references


def test_a_failure_half_way_stores_nothing_of_the_batch(ins):
    def failing(event, seen=[]):  # noqa: B006 - counts the events of this test
        seen.append(event)
        if len(seen) == 3:
            raise RuntimeError("subscriber failed")

    before = (InsuranceFiling.objects.count(), list(ReferenceSequence.objects.values_list("code", "last")))
    events.subscribe(events.CASE_CREATED, failing, in_transaction=True)
    try:
        with pytest.raises(RuntimeError):
            insurance_filings_batch_create(by=ins.user("wuxi-hospital"), items=shaped([person(n) for n in range(1, 6)]))
    finally:
        events.unsubscribe(events.CASE_CREATED, failing)
    assert (InsuranceFiling.objects.count(), list(ReferenceSequence.objects.values_list("code", "last"))) == before
    for model in (Participant, AuditEntry, OutboxEvent, Notice, InsuranceFilingGroupObjectPermission):
        assert not model.objects.exists(), model


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite splits an insert by its limit on parameters")
def test_a_batch_costs_the_same_queries_for_5_filings_as_for_150(ins, django_assert_max_num_queries):
    user = ins.user("wuxi-hospital")
    with django_assert_max_num_queries(40) as small:
        insurance_filings_batch_create(
            by=user, items=shaped([person(n, hospital_reference=f"S-{n}") for n in range(5)])
        )
    # 150 hospital references: past 100 values PostgreSQL needs the index condition spelt out.
    items = shaped([person(n, hospital_reference=f"M-{n}") for n in range(5, 155)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        results = insurance_filings_batch_create(by=user, items=items)
    assert [r.result for r in results] == ["created"] * 150


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_simultaneous_batches_get_disjoint_reference_blocks(ins):
    user = ins.user("wuxi-hospital")
    batches = iter([shaped([person(b * 10 + n) for n in range(5)]) for b in range(3)])
    lock = threading.Lock()

    def file_a_batch():
        with lock:
            items = next(batches)
        return insurance_filings_batch_create(by=user, items=items)

    outcomes = run_at_once(3, file_a_batch)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    blocks = sorted([int(r.filing.reference.rsplit("-", 1)[1]) for r in results] for results in outcomes)
    assert blocks == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]]
    assert audit_verify() == (15, None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_simultaneous_batches_of_the_same_people_file_each_once(ins):
    user = ins.user("wuxi-hospital")
    items = shaped([person(n) for n in range(6)])
    outcomes = run_at_once(3, lambda: insurance_filings_batch_create(by=user, items=items))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    for index in range(6):
        assert sorted(results[index].result for results in outcomes) == ["created", "duplicate", "duplicate"]
    assert InsuranceFiling.objects.count() == 6
    assert ReferenceSequence.objects.get(code="INS").last == 6
