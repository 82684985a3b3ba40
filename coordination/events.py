"""The small explicit registry through which the engine tells other apps what happened.

`coordination` knows neither `notices` nor `supplies`: it records outbox events (kind +
payload) and, after commit, hands each to the handlers subscribed to its kind. Apps subscribe
in their AppConfig.ready(), so the whole wiring can be read in one place per app:

    events.subscribe("case.transitioned", notify_participants)
"""

from collections import defaultdict
from collections.abc import Callable

# Event kinds the engine emits:
CASE_CREATED = "case.created"
CASE_TRANSITIONED = "case.transitioned"
DEADLINE_REMINDER = "deadline.reminder"
DEADLINE_ESCALATED = "deadline.escalated"
RECEIPT_READ = "receipt.read"

Handler = Callable[["OutboxEvent"], None]  # noqa: F821 - coordination.models.OutboxEvent
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(kind: str, handler: Handler | None = None):
    """Subscribe a handler to an event kind ("*" for every kind); usable as a decorator."""

    def register(func: Handler) -> Handler:
        if func not in _handlers[kind]:
            _handlers[kind].append(func)
        return func

    return register(handler) if handler is not None else register


def unsubscribe(kind: str, handler: Handler) -> None:
    if handler in _handlers[kind]:
        _handlers[kind].remove(handler)


def handlers_for(kind: str) -> list[Handler]:
    return [*_handlers[kind], *_handlers["*"]]
