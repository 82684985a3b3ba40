"""The doorbell: after commit, tell each recipient's open sockets that a notice is there.

A ring carries the notice itself, so a socket that is up to date sends it without touching
the database; one that sees a gap (a lost ring, a reconnect) reads its mailbox instead.
Losing a ring therefore delays a notice, never loses it.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)
CONCURRENCY = 64


def user_group(user_id: int) -> str:
    return f"notices.u.{user_id}"


def notice_message(notice) -> dict:
    return {
        "type": "notice",
        "seq": notice.seq,
        "kind": notice.kind,
        "reference": notice.reference,
        "title_zh": notice.title_zh,
        "title_en": notice.title_en,
        "body_zh": notice.body_zh,
        "body_en": notice.body_en,
        "link": notice.link,
        "created_at": notice.created_at.isoformat(),
        "read": notice.read_at is not None,
    }


async def _ring(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def send(group, message):
        async with semaphore:
            await layer.group_send(group, message)

    await asyncio.gather(*(send(group, message) for group, message in messages))


def ring(messages: list[tuple[str, dict]]) -> None:
    if not messages:
        return
    try:
        async_to_sync(_ring)(messages)
    except Exception:
        log.warning("doorbell failed for %d groups", len(messages), exc_info=True)


def ring_after_commit(notices) -> None:
    messages = [(user_group(n.recipient_id), {"type": "notices.ring", "notice": notice_message(n)}) for n in notices]
    transaction.on_commit(lambda: ring(messages))


def close_sockets_of(user_id: int, reason: str) -> None:
    """Close every open socket of the user (sign-out, password change, deactivation)."""
    ring([(user_group(user_id), {"type": "notices.close", "reason": reason})])
