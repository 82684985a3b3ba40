"""The small explicit registry through which the engine tells other apps what happened.

`coordination` knows neither `notices` nor `supplies`: it records outbox events (kind +
payload) and, after commit, hands each to the handlers subscribed to its kind. Apps subscribe
in their AppConfig.ready(), so the whole wiring can be read in one place per app:

    events.subscribe("case.transitioned", notify_participants)

Bulk work (many cases created at once) records many events of one kind together; an
in-transaction handler may take them in one call (`many=`) instead of one by one.
"""

from collections import defaultdict
from collections.abc import Callable

# Event kinds the engine emits:
CASE_CREATED = "case.created"
CASE_TRANSITIONED = "case.transitioned"
DEADLINE_REMINDER = "deadline.reminder"
DEADLINE_ESCALATED = "deadline.escalated"
RECEIPT_READ = "receipt.read"
CIRCULAR_ISSUED = "circular.issued"  # a circular's PDF is ready (notices/circulars)
# A circular's sign-off (签发) step that concerns people: submitted, returned, or late (补签).
CIRCULAR_SIGN_OFF = "circular.sign_off"
# A document of a case (a filing's receipt, a consultation opinion…) is stored and can be
# downloaded; the payload names it (`document_zh`, `document_en`), links it (`link`) and says
# whom to tell (`notify_roles`).
DOCUMENT_READY = "document.ready"

Handler = Callable[["OutboxEvent"], None]  # noqa: F821 - coordination.models.OutboxEvent
ManyHandler = Callable[[list["OutboxEvent"]], None]  # noqa: F821
_after_commit: dict[str, list[Handler]] = defaultdict(list)
_in_transaction: dict[str, list[Handler]] = defaultdict(list)
_many: dict[Handler, ManyHandler] = {}  # in-transaction handler → its variant taking a list


def subscribe(
    kind: str, handler: Handler | None = None, *, in_transaction: bool = False, many: ManyHandler | None = None
):
    """Subscribe a handler to an event kind ("*" for every kind); usable as a decorator.

    After-commit handlers (the default) run when the outbox delivers the event (a Celery task
    after commit, or the relay): e-mail, webhooks, PDFs. In-transaction handlers run inside
    the transaction that records the event, so what they write commits or rolls back with
    it: the inbox notices of shared/DESIGN.md §4.2.

    An in-transaction handler may name `many`, which does the same for a list of events in
    one go (set operations instead of a round of queries per event); bulk work calls it with
    every event it records, single events still go to `handler`.
    """
    if many is not None and not in_transaction:
        raise ValueError("many= is for in-transaction handlers: the outbox delivers events one by one")
    registry = _in_transaction if in_transaction else _after_commit

    def register(func: Handler) -> Handler:
        if func not in registry[kind]:
            registry[kind].append(func)
        if many is not None:
            _many[func] = many
        return func

    return register(handler) if handler is not None else register


def unsubscribe(kind: str, handler: Handler) -> None:
    for registry in (_after_commit, _in_transaction):
        if handler in registry[kind]:
            registry[kind].remove(handler)
    if not any(handler in handlers for handlers in _in_transaction.values()):
        _many.pop(handler, None)


def handlers_for(kind: str) -> list[Handler]:
    return [*_after_commit[kind], *_after_commit["*"]]


def transactional_handlers_for(kind: str) -> list[Handler]:
    return [*_in_transaction[kind], *_in_transaction["*"]]


def handle_in_transaction(kind: str, recorded: list) -> None:
    """Hand events of one kind, just recorded in the current transaction, to the in-transaction
    handlers: each handler that has a `many` variant gets them all at once, the others one by one."""
    for handler in transactional_handlers_for(kind):
        many = _many.get(handler)
        if many is not None and len(recorded) > 1:
            many(recorded)
        else:
            for event in recorded:
                handler(event)
