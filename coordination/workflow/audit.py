"""Verifying the per-case audit hash chains."""

from dataclasses import dataclass

from coordination.models import AuditEntry
from coordination.models.audit import GENESIS, canonical_json, sha256


@dataclass
class BrokenLink:
    entry_id: int
    case: str
    seq: int
    reason: str

    def __str__(self):
        return f"audit entry {self.entry_id} (case {self.case}, #{self.seq}): {self.reason}"


def audit_verify(batch_size: int = 2000) -> tuple[int, BrokenLink | None]:
    """Walk every chain in order; return (entries checked, the first broken link or None)."""
    checked = 0
    previous_case, previous_hash, expected_seq = None, GENESIS, 1
    for entry in AuditEntry.objects.order_by("content_type_id", "object_id", "seq").iterator(chunk_size=batch_size):
        case = f"{entry.content_type_id}:{entry.object_id}"
        if case != previous_case:
            previous_case, previous_hash, expected_seq = case, GENESIS, 1
        checked += 1
        reason = None
        if entry.seq != expected_seq:
            reason = f"sequence {entry.seq} where {expected_seq} was expected (a row is missing)"
        elif entry.prev_hash != previous_hash:
            reason = "prev_hash does not match the previous entry's hash"
        elif entry.payload_hash != sha256(canonical_json(entry.payload)):
            reason = "the payload does not match its hash"
        elif entry.hash != entry.computed_hash():
            reason = "the entry's fields do not match its hash"
        if reason:
            return checked, BrokenLink(entry.pk, case, entry.seq, reason)
        previous_hash, expected_seq = entry.hash, expected_seq + 1
    return checked, None
