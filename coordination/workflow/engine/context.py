"""What a transition method receives."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from coordination.models import Organisation


@dataclass
class TransitionContext:
    """What a transition method receives: who fires it, with what, when."""

    by: object  # the user, or None for the system (deadlines)
    organisation: Organisation | None
    data: dict = field(default_factory=dict)
    comment: str = ""
    now: datetime = field(default_factory=timezone.now)
    # What the transition wants kept in its audit entry beyond the request (e.g. a diff).
    record: dict = field(default_factory=dict)
    # The item an item transition acts on (an addressee's receipt), locked.
    item: object = None
    # Effects the transition leaves to the end of its transaction, after the case, its audit
    # entry and its notices are written: those that lock a row every transition of the kind
    # needs (one hot stock balance), so the lock is held for as short a time as possible. They
    # may still refuse (raise): everything is rolled back.
    late: list = field(default_factory=list)

    def run_late(self) -> None:
        effects, self.late = self.late, []
        for effect in effects:
            effect()
