"""The doorbell: after commit, tell the recipients' open sockets that notices are there.

Rings go to buckets of users, not to each user: every socket joins its user's group (for
closing) and the group of its bucket (user id modulo BUCKETS). A transaction that writes
notices for 1,000 users rings each bucket concerned once — at most BUCKETS publishes,
whatever the number of recipients — carrying the texts once and, per user, the sequence
numbers; each socket sends what is addressed to its user. With the Redis pub/sub layer a ring
is one PUBLISH, read once per web process and handed to the bucket's sockets in memory; every
socket of the bucket decodes it, so a bucket must not be large — one ring for a whole office
made msgpack decoding half of the server's time at 1,000 sockets — nor the buckets many, as the
committing request publishes one after another (bench/notices_fanout.py: 32 buckets did best
at 1,000 recipients, p99 211–289 ms over five runs against 218–313 with 16; 8 was slower at
both sizes, 64 no better than 32).

A ring carries the notices themselves, so a socket that is up to date sends them without
touching the database; one that sees a gap (a lost ring, a reconnect) reads its mailbox
instead, and a ring too large to carry its texts carries only the newest sequence numbers.
Losing a ring therefore delays a notice, never loses it.
"""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)
MAX_TEXTS_PER_RING = 50  # beyond this many distinct notices, sockets read their mailboxes
BUCKETS = 32  # see above


def user_group(user_id: int) -> str:
    return f"notices.u.{user_id}"


def bucket_group(user_id: int) -> str:
    return f"notices.b.{user_id % BUCKETS}"


def notice_texts(notice) -> dict:
    """What the client receives of a notice, less its number and read mark."""
    return {
        "type": "notice",
        "kind": notice.kind,
        "reference": notice.reference,
        "title_zh": notice.title_zh,
        "title_en": notice.title_en,
        "body_zh": notice.body_zh,
        "body_en": notice.body_en,
        "link": notice.link,
        "created_at": notice.created_at.isoformat(),
    }


def notice_message(notice) -> dict:
    return {**notice_texts(notice), "seq": notice.seq, "read": notice.read_at is not None}


def ring_messages(notices) -> list[tuple[str, dict]]:
    """The rings for these notices: one per bucket of their recipients.

    Each ring is `{"type": "notices.ring", "texts": [...], "to": {"<user id>": [[i, seq], ...]}}`
    where `i` indexes `texts`, or is -1 when the ring carries no texts (the socket reads its
    mailbox up to `seq`)."""
    texts: list[dict] = []
    index_of: dict[tuple, int] = {}
    entries: dict[int, list[list[int]]] = {}
    for notice in sorted(notices, key=lambda n: (n.recipient_id, n.seq)):
        body = notice_texts(notice)
        key = tuple(body.values())
        if key not in index_of:
            index_of[key] = len(texts)
            texts.append(body)
        entries.setdefault(notice.recipient_id, []).append([index_of[key], notice.seq])
    carry_texts = len(texts) <= MAX_TEXTS_PER_RING
    rings: dict[str, dict] = {}
    for user_id, pairs in entries.items():
        ring = rings.setdefault(bucket_group(user_id), {"type": "notices.ring", "texts": [], "to": {}, "_index": {}})
        if carry_texts:
            for pair in pairs:
                # Re-index the texts this group's members need into the ring's own list.
                local = ring["_index"].get(pair[0])
                if local is None:
                    local = ring["_index"][pair[0]] = len(ring["texts"])
                    ring["texts"].append(texts[pair[0]])
                pair[0] = local
            ring["to"][str(user_id)] = pairs
        else:
            ring["to"][str(user_id)] = [[-1, pairs[-1][1]]]
    for ring in rings.values():
        del ring["_index"]
    return list(rings.items())


async def _ring(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    for group, message in messages:
        await layer.group_send(group, message)


def ring(messages: list[tuple[str, dict]]) -> None:
    if not messages:
        return
    try:
        async_to_sync(_ring)(messages)
    except Exception:
        log.warning("doorbell failed for %d groups", len(messages), exc_info=True)


def ring_after_commit(notices) -> None:
    notices = list(notices)
    if not notices:
        return

    def after_commit():
        rung_at = time.time()  # when the transaction committed: clients may measure their lag
        messages = ring_messages(notices)
        for _group, message in messages:
            message["rung_at"] = rung_at
        ring(messages)

    transaction.on_commit(after_commit)


def close_sockets_of(user_id: int, reason: str) -> None:
    """Close every open socket of the user (sign-out, password change, deactivation)."""
    ring([(user_group(user_id), {"type": "notices.close", "reason": reason})])
