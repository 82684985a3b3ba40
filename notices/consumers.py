"""`/ws/notices/`: a user's notices, live, with nothing lost across reconnects.

Protocol (JSON):
  client → {"type": "resume", "last_seq": 41}   (or connect with ?last_seq=41)
  server → {"type": "notice", "seq": 42, …} for every notice after 41, in order, then live
           (a live one also has "rung_at": the Unix time its transaction committed)
  server → {"type": "hello", "last_seq": <newest seq>, "unread": n} once, after connecting
The socket is closed (code 4401) for anonymous users, and within seconds once the session
ends, the password changes or the user is deactivated.
"""

import asyncio
import random
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token

from notices.doorbell import bucket_group, notice_message, user_group
from notices.models import Mailbox, Notice

REPLAY_BATCH = 200
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4403


class NoticeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.last_sent = None  # until the client says what it has seen
        # The user's own group (closing, personal messages) and their bucket's, which the
        # doorbell rings once for all the bucket's recipients of a transaction (notices/doorbell.py).
        self.groups_joined = [user_group(self.user_id), bucket_group(self.user_id)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        newest, unread = await self.mailbox_state()
        await self.send_json({"type": "hello", "last_seq": newest, "unread": unread})
        query = parse_qs(self.scope.get("query_string", b"").decode())
        if "last_seq" in query and query["last_seq"][0].isdigit():
            await self.resume(int(query["last_seq"][0]))
        self.watchdog = asyncio.create_task(self.watch())

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)
        if hasattr(self, "watchdog"):
            self.watchdog.cancel()

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resume":
            last_seq = content.get("last_seq", 0)
            if isinstance(last_seq, int) and last_seq >= 0:
                await self.resume(last_seq)
                return
        await self.send_json({"type": "error", "code": "invalid", "message": "expected {type: resume, last_seq: n}"})

    async def resume(self, last_seq: int):
        self.last_sent = last_seq
        await self.catch_up()

    async def catch_up(self):
        """Send everything in the mailbox after the last notice sent, in order."""
        while True:
            batch = await self.notices_after(self.last_sent, REPLAY_BATCH)
            for message in batch:
                await self.send_json(message)
                self.last_sent = message["seq"]
            if len(batch) < REPLAY_BATCH:
                return

    # --- channel-layer messages ---------------------------------------------------------------

    async def notices_ring(self, event):
        """A ring of the user's bucket: the notices of its users written by one transaction."""
        mine = event["to"].get(str(self.user_id))
        if not mine or self.last_sent is None:
            return  # not for this user, or the client has not resumed yet (it will by replay)
        texts = event["texts"]
        for index, seq in mine:
            if seq <= self.last_sent:
                continue
            if seq != self.last_sent + 1 or index < 0:
                await self.catch_up()  # a lost ring, or one without texts: the mailbox has them
                return
            await self.send_json({**texts[index], "seq": seq, "read": False, "rung_at": event.get("rung_at")})
            self.last_sent = seq

    async def notices_probe(self, event):
        """A doorbell that carries no notice: used to measure the bare layer-to-socket path."""
        await self.send_json({"type": "probe", "id": event.get("id")})

    async def notices_briefing(self, event):
        """A leader's briefing figures changed (notices/briefing_bell.py): the page re-reads them."""
        await self.send_json({"type": "briefing", "scope": event.get("scope")})

    async def notices_close(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    # --- the watchdog: session still valid? anything in the mailbox the bell did not ring? ---

    async def watch(self):
        """A safety net: sign-out, password changes and deactivation close sockets at once
        by a message (notices/signals.py); this re-checks the session now and then, and
        reads the mailbox in case a ring was lost. Spread at random so sockets opened
        together do not check together."""
        check_every = settings.NOTICES_SESSION_CHECK_SECONDS
        poll_every = settings.NOTICES_POLL_SECONDS
        tick = min(check_every, poll_every)
        loop = asyncio.get_running_loop()
        next_check = loop.time() + random.uniform(0, check_every)  # noqa: S311 - spreads load, not security
        next_poll = loop.time() + random.uniform(0, poll_every)  # noqa: S311
        while True:
            await asyncio.sleep(tick)
            now = loop.time()
            if now >= next_check:
                next_check = now + check_every
                if not await self.still_signed_in():
                    await self.close(code=CLOSE_SESSION_ENDED)
                    return
            if now >= next_poll and self.last_sent is not None:
                next_poll = now + poll_every
                newest, _unread = await self.mailbox_state()
                if newest > self.last_sent:
                    await self.catch_up()

    @database_sync_to_async
    def still_signed_in(self) -> bool:
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        if user is None:
            return False
        token = self.scope.get("auth_token")
        if token:
            return Token.objects.filter(key=token, user_id=self.user_id).exists()
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        if not key or not Session.objects.filter(session_key=key, expire_date__gt=timezone.now()).exists():
            return False
        return session.get(HASH_SESSION_KEY) == user.get_session_auth_hash()

    @database_sync_to_async
    def mailbox_state(self) -> tuple[int, int]:
        newest = Mailbox.objects.filter(user_id=self.user_id).values_list("last_seq", flat=True).first() or 0
        unread = Notice.objects.filter(recipient_id=self.user_id, read_at__isnull=True).count()
        return newest, unread

    @database_sync_to_async
    def notices_after(self, seq: int, limit: int) -> list[dict]:
        rows = Notice.objects.filter(recipient_id=self.user_id, seq__gt=seq).order_by("seq")[:limit]
        return [notice_message(n) for n in rows]
