"""The platform as deployed: two ASGI server processes and a Celery worker on PostgreSQL and
a Redis of the test's own (so it can be restarted). A notice raised through process A reaches
a WebSocket client connected to process B; one raised in the worker too; and notices created
while Redis is down arrive after the client reconnects.

Runs where DATABASE_URL names PostgreSQL (CI); each run uses a database of its own."""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
import websockets

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]
REDIS_PORT = 6391
PORT_A, PORT_B = 8291, 8292


def admin_url(name="postgres"):
    base = DATABASE_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


class Platform:
    def __init__(self, tmp_path):
        self.db = f"yrd_mp_{os.getpid()}"
        self.tmp = tmp_path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "DATABASE_URL": admin_url(self.db),
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "DJANGO_VAR_DIR": str(tmp_path),
            "NOTICES_POLL_SECONDS": "2",
            "NOTICES_SESSION_CHECK_SECONDS": "1",
        }
        self.processes = {}

    def run(self, *args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start(self, name, argv):
        log = open(self.tmp / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = (process, log)

    def start_redis(self):
        self.start(
            "redis",
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        wait_for(lambda: _redis_ping())

    def stop(self, name):
        process, log = self.processes.pop(name, (None, None))
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if log:
            log.close()

    def log(self, name):
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]


def _redis_ping():
    try:
        import redis

        return redis.Redis(port=REDIS_PORT, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - not up yet
        return False


def wait_for(check, timeout=60, every=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    raise TimeoutError("condition not met in time")


def http(method, port, path, body=None, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode() if body is not None else None
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def healthy(port):
    try:
        return http("GET", port, "/healthz")["status"] == "ok"
    except Exception:  # noqa: BLE001 - not up yet
        return False


@pytest.fixture
def platform(tmp_path):
    p = Platform(tmp_path)
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{p.db}"')
        conn.execute(f'CREATE DATABASE "{p.db}"')
    try:
        p.start_redis()
        p.run("migrate", "-v0")
        p.run("seed_demo")
        daphne = str(Path(sys.executable).parent / "daphne")
        celery = str(Path(sys.executable).parent / "celery")
        p.start("web-a", [daphne, "-b", "127.0.0.1", "-p", str(PORT_A), "config.asgi:application"])
        p.start("web-b", [daphne, "-b", "127.0.0.1", "-p", str(PORT_B), "config.asgi:application"])
        p.start("worker", [celery, "-A", "config", "worker", "--concurrency=2", "--loglevel=INFO", "-n", "mp@%h"])
        wait_for(lambda: healthy(PORT_A) and healthy(PORT_B))
        yield p
    finally:
        for name in list(p.processes):
            p.stop(name)
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{p.db}" WITH (FORCE)')


async def next_notice(socket, timeout=15, **expected):
    """The next notice whose fields match `expected` (the worker also renders the demo's
    circulars meanwhile, whose notices may come in between)."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), max(0.1, deadline - time.monotonic())))
        if message["type"] == "notice" and all(message.get(k) == v for k, v in expected.items()):
            return message


def test_notices_cross_processes_and_survive_a_redis_restart(platform):
    js = http("POST", PORT_A, "/api/v1/auth/token/", {"username": "js-liaison", "password": "demo-pass-2026"})["token"]
    sh = http("POST", PORT_A, "/api/v1/auth/token/", {"username": "sh-liaison", "password": "demo-pass-2026"})["token"]
    last_seq = http("GET", PORT_A, "/api/v1/notices/unread-count/", token=sh)["last_seq"]
    sheet = {"title": "跨进程测试", "matter": "经 A 进程创建", "addressee": "sh-liaison"}

    async def scenario():
        headers = {"Authorization": f"Token {sh}", "Origin": f"http://127.0.0.1:{PORT_B}"}
        uri = f"ws://127.0.0.1:{PORT_B}/ws/notices/?last_seq={last_seq}"
        async with websockets.connect(uri, additional_headers=headers) as socket:
            # 1. A transition through process A's API reaches the socket on process B.
            started = time.monotonic()
            created = await asyncio.to_thread(http, "POST", PORT_A, "/api/v1/assignment-sheets/", sheet, js)
            notice = await next_notice(socket, reference=created["reference"])
            assert notice["kind"] == "case_created" and notice["seq"] > last_seq
            assert time.monotonic() - started < 5

            # 2. A notice written in the Celery worker (a deadline reminder) reaches it too.
            with psycopg.connect(admin_url(platform.db), autocommit=True) as conn:
                conn.execute(
                    "UPDATE assignment_sheets_assignmentsheet SET due_at = now() - interval '1 minute' WHERE id = %s",
                    [created["id"]],
                )
            # A Celery app of its own: the project's app caches its broker pool from earlier tests.
            from celery import Celery

            client = Celery(broker=platform.env["REDIS_URL"])
            await asyncio.to_thread(client.send_task, "coordination.tasks.check_deadlines")
            # The worker may first be busy rendering the demo's circulars (fonts compacted on
            # its first render): give the task time to come round.
            reminder = await next_notice(socket, timeout=90, kind="deadline_reminder", reference=created["reference"])
            assert reminder["seq"] > notice["seq"]
        return reminder["seq"]

    try:
        seen = asyncio.run(scenario())
    except Exception:
        print(platform.log("web-b"))
        raise

    # 3. Redis goes down: notices created meanwhile are kept, and arrive after reconnecting.
    platform.stop("redis")
    created = http("POST", PORT_A, "/api/v1/assignment-sheets/", {**sheet, "title": "Redis 停机期间"}, js)
    platform.start_redis()
    wait_for(lambda: healthy(PORT_B))

    async def reconnect():
        headers = {"Authorization": f"Token {sh}", "Origin": f"http://127.0.0.1:{PORT_B}"}
        async with websockets.connect(
            f"ws://127.0.0.1:{PORT_B}/ws/notices/?last_seq={seen}", additional_headers=headers
        ) as socket:
            return await next_notice(socket, reference=created["reference"])

    try:
        missed = asyncio.run(reconnect())
    except Exception:
        print(platform.log("web-b"))
        raise
    assert missed["kind"] == "case_created" and missed["seq"] > seen, platform.log("web-a")
