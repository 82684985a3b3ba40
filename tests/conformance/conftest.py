"""The conformance suite's world: the demo seeded once (in a transaction the suite's tests run
inside and that is rolled back after them), its personas with their clients, and a
way to send a request whose effects are rolled back at once, so a test may walk every case."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from coordination.demo import USERS_BY_ORG
from coordination.models import Membership, Organisation
from coordination.workflow import mechanisms
from tests.conformance import oracle
from tests.conformance.oracle import FIXED, Who

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OTHER_HOSPITAL = "hz-zju-first-hospital"
LOGIN_PATH = "/accounts/login/"


class Response:
    """What a test reads of a response, taken before its effects were rolled back."""

    def __init__(self, response, *, messages=(), case_errors=None):
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = b"".join(response.streaming_content) if response.streaming else response.content
        self.messages = list(messages)
        self.case_errors = case_errors
        self.url = response.get("Location", "")

    def json(self):
        return json.loads(self.content)

    def text(self) -> str:
        return self.content.decode("utf-8")

    def redirect_path(self) -> str:
        return urlsplit(self.url).path


class ConformanceWorld(oracle.World):
    """The world with one API client and one page client (Django builds a client's middleware
    on its first request: once, not once per persona), each persona's token or session cookie
    put on before their request, and answers remembered: every request is rolled back, so the
    same request by the same person answers the same throughout the suite."""

    def __init__(self):
        super().__init__()
        self._api_client, self._page_client = APIClient(), Client()
        self._tokens: dict[str, str] = {}
        self._sessions: dict[str, str] = {}
        self._answers: dict[tuple, Response] = {}

    # Tokens and sessions are made in the suite's transaction, before any test runs.
    def prepare_clients(self, usernames):
        for username in usernames:
            user = get_user_model().objects.get(username=username)
            self._tokens[username] = Token.objects.get_or_create(user=user)[0].key
            login = Client()
            login.force_login(user)
            self._sessions[username] = login.cookies[settings.SESSION_COOKIE_NAME].value

    def api(self, who: Who, method: str, path: str, data=None, *, fresh=False, **extra) -> Response:
        """The answer to the request, its effects rolled back; remembered, unless `fresh` (sent
        anew and not remembered: the test changed the world)."""
        key = ("api", who.username, method, path, json.dumps(data, sort_keys=True), tuple(sorted(extra.items())))
        return self._remembered(key, fresh, lambda: self._send_api(who, method, path, data, extra))

    def page(self, who: Who, method: str, path: str, data=None, *, fresh=False) -> Response:
        key = ("page", who.username, method, path, json.dumps(data, sort_keys=True))
        return self._remembered(key, fresh, lambda: self._send_page(who, method, path, data))

    def _remembered(self, key, fresh: bool, send) -> Response:
        # An API GET changes nothing another request would see (at most an access-log row):
        # it needs no savepoint of its own. Every POST and every page (which reads a case for a
        # person: their read receipt) is rolled back at once.
        send = self._as_is(send) if key[0] == "api" and key[2] == "get" else self._rolled_back(send)
        if fresh:
            return send()
        if key not in self._answers:
            self._answers[key] = send()
        return self._answers[key]

    @staticmethod
    def _as_is(send):
        return lambda: Response(send())

    @staticmethod
    def _rolled_back(send):
        def sent():
            with transaction.atomic():
                result = send()
                response, extra = result if isinstance(result, tuple) else (result, {})
                kept = Response(response, **extra)
                transaction.set_rollback(True)
            return kept

        return sent

    def _send_api(self, who, method, path, data, extra):
        client = self._api_client
        if who.anonymous:
            client.credentials()
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Token {self._tokens[who.username]}")
        if method == "get":
            return client.get(path, data, **extra)
        return getattr(client, method)(path, data, format="json", **extra)

    def _send_page(self, who, method, path, data):
        client = self._page_client
        client.cookies = SimpleCookie()
        if not who.anonymous:
            client.cookies[settings.SESSION_COOKIE_NAME] = self._sessions[who.username]
        response = getattr(client, method)(path, data)
        return response, {
            "messages": [m.level_tag for m in get_messages(response.wsgi_request)],
            "case_errors": getattr(response.wsgi_request, "session", {}).get("case_errors"),
        }


def _seed():
    call_command("seed_demo", verbosity=0)
    User = get_user_model()
    usernames = set(oracle.FIXED.values()) | set(oracle.LIAISONS) | set(oracle.INSURANCE)
    # A colleague in every organisation that originates a demo case, holding the owner's role.
    for declaration in mechanisms.registered():
        for org_id in declaration.model.objects.values_list("originator_id", flat=True).distinct():
            org = Organisation.objects.get(pk=org_id)
            owner = Membership.objects.get(user__username=USERS_BY_ORG[org.code])
            colleague, created = User.objects.get_or_create(username=oracle.colleague_name(org.code))
            if created:
                Membership.objects.create(user=colleague, organisation=org, role=owner.role)
            usernames |= {owner.user.username, colleague.username}
    filer = User.objects.create_user(FIXED["other-hospital"], password="x")
    Membership.objects.create(
        user=filer, organisation=Organisation.objects.get(code=OTHER_HOSPITAL), role=Membership.Role.HOSPITAL_FILER
    )
    User.objects.create_user(FIXED["outsider"], password="x")
    return sorted(usernames)


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The demo, seeded once for the suite's tests (each of which runs in a savepoint of it), in a
    transaction rolled back when the last of them is done: the rest of the test suite never
    sees it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            usernames = _seed()
            seeded = ConformanceWorld()
            seeded.prepare_clients(usernames)
            # Check the deferred constraints of the seeding now: PostgreSQL would otherwise check
            # them all again when each test ends (pytest-django checks constraints at teardown).
            connection.check_constraints()
            yield seeded
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _in_the_world(world, db):
    """Every test of the suite runs in a savepoint (pytest-django's `db`) of the seeded demo."""


# --- what a test checks of an answer ---------------------------------------------------------------

ERROR_CODES = {
    401: {"not_authenticated"},
    403: {"permission_denied"},
    404: {"not_found"},
    409: {"transition_not_allowed"},
    412: {"stale_version"},
}


def error_shape_problem(response: Response, status: int) -> str | None:
    """Why an API error response does not have the one JSON error shape (None: it has)."""
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.content[:120]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"}:
        return f"not the error shape: {body!r:.200}"
    if not {"code", "message", "details"} <= set(error):
        return f"error without code/message/details: {error!r:.200}"
    if not (isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)):
        return f"error code/message not strings: {error!r:.200}"
    if status in ERROR_CODES and error["code"] not in ERROR_CODES[status]:
        return f"error code {error['code']!r} for {status}"
    return None


class Problems(list):
    """What went wrong across a test's requests: all of them are reported, not just the first."""

    def expect(self, response: Response, expected: int, what: str) -> bool:
        if response.status_code != expected:
            self.append(f"{what}: expected {expected}, got {response.status_code} {response.content[:300]!r}")
            return False
        if expected >= 400 and not response.headers.get("Content-Type", "").startswith("text/html"):
            problem = error_shape_problem(response, expected)
            if problem:
                self.append(f"{what}: {problem}")
                return False
        return True

    def same_cases(self, world, resource: str, who: Who, listed, what: str) -> bool:
        """The list holds exactly the cases the oracle says the persona sees, once each."""
        listed = list(listed)
        expected = {snap.pk for snap in world.visible(resource, who)}
        if sorted(listed) == sorted(expected):
            return True
        names = {snap.pk: repr(snap) for snap in world.cases[resource]}
        leaked = [names.get(pk, pk) for pk in set(listed) - expected]
        missing = [names[pk] for pk in expected - set(listed)]
        twice = sorted({pk for pk in listed if listed.count(pk) > 1})
        self.append(f"{what}: leaked {leaked}, missing {missing}, listed twice {twice}")
        return False

    def check(self):
        assert not self, "\n".join(self)


def is_login_redirect(response: Response) -> bool:
    return response.status_code == 302 and response.redirect_path() == LOGIN_PATH


CASE_LINK = r'href="/cases/{resource}/(\d+)/"'


def linked_cases(html: str, resource: str) -> list[int]:
    """The cases a page links to (a register links each of its rows once)."""
    return [int(pk) for pk in re.findall(CASE_LINK.format(resource=re.escape(resource)), html)]


# --- known platform bugs: strict xfails by test id (tests/conformance/bugs.py) --------------------


def pytest_collection_modifyitems(config, items):
    from tests.conformance.bugs import KNOWN

    for item in items:
        if not item.nodeid.startswith("tests/conformance/"):
            continue
        for pattern, reason in KNOWN.items():
            if re.search(pattern, item.nodeid):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
                break
