"""`/ws/notices/`: authenticated, origin-checked, replaying what a client missed, in order."""

import asyncio

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

from config.asgi import application
from notices.models import NoticeKind
from notices.services import notices_deliver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ORIGIN = (b"origin", b"http://testserver")


def texts(n):
    return {"title_zh": f"通知{n}", "title_en": f"Notice {n}", "link": "/inbox/"}


@sync_to_async
def deliver(user, count=1, start=1):
    for n in range(start, start + count):
        notices_deliver(recipient_ids=[user.pk], kind=NoticeKind.CASE_CREATED, texts=texts(n))


@sync_to_async
def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(cookie=None, origin=ORIGIN, path="/ws/notices/", extra=()):
    headers = [origin, *extra]
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def receive_notices(communicator, count, timeout=10):
    seqs = []
    while len(seqs) < count:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == "notice":
            seqs.append(message["seq"])
    return seqs


@pytest.fixture
def people(demo):
    return demo.user("sh-liaison"), demo.user("zj-liaison")


async def test_an_anonymous_client_is_refused(people):
    _communicator, connected, code = await connect()
    assert not connected and code == 4401


async def test_a_foreign_origin_is_refused(people):
    _client, cookie = await session_cookie(people[0])
    _communicator, connected, _code = await connect(cookie, origin=(b"origin", b"http://evil.example"))
    assert not connected


async def test_a_reconnecting_client_gets_everything_it_missed_in_order(people):
    user = people[0]
    _client, cookie = await session_cookie(user)
    communicator, connected, _ = await connect(cookie, path="/ws/notices/?last_seq=0")
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "hello" and hello["last_seq"] == 0
    await deliver(user, 3)
    assert await receive_notices(communicator, 3) == [1, 2, 3]
    await communicator.disconnect()

    await deliver(user, 500, start=4)  # while the client is away
    communicator, connected, _ = await connect(cookie)
    assert (await communicator.receive_json_from())["last_seq"] == 503
    await communicator.send_json_to({"type": "resume", "last_seq": 3})
    seqs = await receive_notices(communicator, 500)
    assert seqs == list(range(4, 504))
    await deliver(user, 1, start=504)
    assert await receive_notices(communicator, 1) == [504]
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_another_users_notices_never_arrive(people):
    user, other = people
    _client, cookie = await session_cookie(user)
    communicator, _connected, _ = await connect(cookie, path="/ws/notices/?last_seq=0")
    await communicator.receive_json_from()  # hello
    await deliver(other, 5)
    await deliver(user, 1)
    message = await communicator.receive_json_from(timeout=5)
    assert message["seq"] == 1 and message["title_zh"] == "通知1"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_signing_out_closes_the_socket(people):
    client, cookie = await session_cookie(people[0])
    communicator, _connected, _ = await connect(cookie)
    await communicator.receive_json_from()  # hello
    await sync_to_async(client.logout)()
    output = await communicator.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


async def test_deactivation_closes_the_socket_at_once(people):
    user = people[0]
    _client, cookie = await session_cookie(user)
    communicator, _connected, _ = await connect(cookie)
    await communicator.receive_json_from()  # hello
    user.is_active = False
    await sync_to_async(user.save)()
    output = await communicator.receive_output(timeout=2)
    assert output["type"] == "websocket.close"
    await communicator.disconnect()


async def test_an_api_client_connects_with_its_token(people):
    user = people[1]
    token, _ = await sync_to_async(Token.objects.get_or_create)(user=user)
    header = (b"authorization", f"Token {token.key}".encode())
    communicator, connected, _ = await connect(extra=[header], path="/ws/notices/?last_seq=0")
    assert connected
    await communicator.receive_json_from()  # hello
    await deliver(user, 2)
    assert await receive_notices(communicator, 2) == [1, 2]
    await communicator.disconnect()
    bad = (b"authorization", b"Token not-a-token")
    _communicator, connected, code = await connect(extra=[bad])
    assert not connected and code == 4401


async def test_a_lost_doorbell_is_made_up_from_the_mailbox(people, settings, monkeypatch):
    settings.NOTICES_SESSION_CHECK_SECONDS = 0.1
    settings.NOTICES_POLL_SECONDS = 0.1
    user = people[0]
    _client, cookie = await session_cookie(user)
    communicator, _connected, _ = await connect(cookie, path="/ws/notices/?last_seq=0")
    await communicator.receive_json_from()  # hello
    monkeypatch.setattr("notices.doorbell.ring", lambda messages: None)  # every ring is lost
    await deliver(user, 2)
    assert await receive_notices(communicator, 2, timeout=5) == [1, 2]
    await communicator.disconnect()
    await asyncio.sleep(0)


async def test_a_password_change_closes_the_socket_at_once(people):
    user = people[0]
    _client, cookie = await session_cookie(user)
    communicator, _connected, _ = await connect(cookie)
    await communicator.receive_json_from()  # hello
    user.set_password("a-brand-new-pass-2026")
    await sync_to_async(user.save)()
    output = await communicator.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


async def test_the_watchdog_closes_a_socket_whose_session_was_deleted(people, settings):
    settings.NOTICES_SESSION_CHECK_SECONDS = 0.2
    client, cookie = await session_cookie(people[0])
    communicator, _connected, _ = await connect(cookie)
    await communicator.receive_json_from()  # hello
    await sync_to_async(client.session.delete)()  # the session ends without a sign-out signal
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    await communicator.disconnect()


@sync_to_async
def colleague_of(user, username):
    from coordination.models import Membership

    colleague = type(user).objects.create_user(username)
    Membership.objects.create(user=colleague, organisation=user.membership.organisation)
    return colleague


async def test_a_colleague_rung_with_the_same_bell_gets_only_their_own_notices(people, monkeypatch):
    """Both sockets hear the same ring (one bucket); each sends only what is addressed to its user."""
    monkeypatch.setattr("notices.doorbell.BUCKETS", 1)
    user = people[0]
    colleague = await colleague_of(user, "sh-liaison-2")
    sockets = []
    for person in (user, colleague):
        _client, cookie = await session_cookie(person)
        communicator, connected, _ = await connect(cookie, path="/ws/notices/?last_seq=0")
        assert connected
        await communicator.receive_json_from()  # hello
        sockets.append(communicator)
    await deliver(user, 2)
    assert await receive_notices(sockets[0], 2) == [1, 2]
    assert await sockets[1].receive_nothing(timeout=0.3)
    for communicator in sockets:
        await communicator.disconnect()


async def test_a_ring_too_large_to_carry_its_texts_is_read_from_the_mailbox(people, monkeypatch):
    monkeypatch.setattr("notices.doorbell.MAX_TEXTS_PER_RING", 1)
    user = people[0]
    _client, cookie = await session_cookie(user)
    communicator, _connected, _ = await connect(cookie, path="/ws/notices/?last_seq=0")
    await communicator.receive_json_from()  # hello

    @sync_to_async
    def deliver_three_in_one_transaction():
        from django.db import transaction

        with transaction.atomic():
            for n in (1, 2, 3):
                notices_deliver(recipient_ids=[user.pk], kind=NoticeKind.CASE_CREATED, texts=texts(n))

    await deliver_three_in_one_transaction()
    assert await receive_notices(communicator, 3) == [1, 2, 3]
    await communicator.disconnect()
