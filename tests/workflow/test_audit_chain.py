"""The audit trail: one chained row per transition, append-only, verifiable."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coordination.models import AppendOnlyError, AuditEntry
from coordination.workflow.engine import transition_fire


@pytest.fixture
def worked_sheet(demo, make_sheet):
    sheet = make_sheet()
    sh = demo.user("sh-liaison")
    transition_fire(type(sheet), sheet.pk, "accept", by=sh)
    transition_fire(type(sheet), sheet.pk, "reply", by=sh, data={"result": "已核查"}, comment="见附件")
    return sheet


def test_each_transition_appends_one_chained_row(worked_sheet):
    entries = list(AuditEntry.objects.filter(object_id=worked_sheet.pk).order_by("seq"))
    assert [(e.seq, e.transition, e.from_state, e.to_state) for e in entries] == [
        (1, "create", "", "submitted"),
        (2, "accept", "submitted", "accepted"),
        (3, "reply", "accepted", "replied"),
    ]
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert entries[2].actor.username == "sh-liaison" and entries[2].organisation.code == "sh-liaison"
    assert entries[2].payload == {"result": "已核查"} and entries[2].comment == "见附件"
    assert all(e.hash == e.computed_hash() for e in entries)


def test_verify_audit_passes_on_an_intact_trail(worked_sheet, capsys):
    call_command("verify_audit")
    assert "3 entries verified" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("column", "value"),
    [("comment", "'篡改'"), ("to_state", "'closed'"), ("payload", '\'{"result": "forged"}\''), ("actor_id", "NULL")],
)
def test_verify_audit_names_the_first_tampered_row(worked_sheet, column, value):
    tampered = AuditEntry.objects.get(object_id=worked_sheet.pk, seq=2)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE coordination_auditentry SET {column} = {value} WHERE id = %s", [tampered.pk])  # noqa: S608
    with pytest.raises(CommandError, match=f"audit entry {tampered.pk} "):
        call_command("verify_audit")


def test_verify_audit_detects_a_deleted_row(worked_sheet):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM coordination_auditentry WHERE object_id = %s AND seq = 2", [worked_sheet.pk])
    with pytest.raises(CommandError, match="a row is missing"):
        call_command("verify_audit")


def test_rows_cannot_be_changed_or_deleted_through_the_orm(worked_sheet):
    entries = AuditEntry.objects.filter(object_id=worked_sheet.pk)
    entry = entries.first()
    entry.comment = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        entries.update(comment="changed")
    with pytest.raises(AppendOnlyError):
        entries.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["comment"])
    assert not AuditEntry.objects.filter(comment="changed").exists()


def test_a_transition_whose_audit_row_cannot_be_written_rolls_back(demo, make_sheet, monkeypatch):
    sheet = make_sheet()

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditEntry, "save", broken_save)
    with pytest.raises(RuntimeError):
        transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
    sheet.refresh_from_db()
    assert (sheet.state, sheet.version) == ("submitted", 1)
