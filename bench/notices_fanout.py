"""Fan-out latency of notices: one transition that notifies N WebSocket clients.

Starts one Daphne process on PostgreSQL + Redis (a database of its own, `yrd_bench_notices`),
connects N clients (token auth) as N members of Shanghai's liaison office, and per round:

- platform: a liaison officer of Jiangsu creates an assignment sheet addressed to Shanghai
  through the API; the transaction writes N notices; each client's time from the request to
  receipt is measured (so it includes the N notice writes and the commit);
- bare: the same N clients rung by plain channels-redis `group_send`s of a probe message to the
  groups the doorbell rings (one per bucket of users: at most 64 sends), from this process,
  without the database, measured the same way.

The platform's latency is reported three ways: from the request (API call, N notice writes,
commit, ring), from the event (the notices' `created_at`, set before they are written), and
from the commit (the ring's `rung_at`) — the issue's "commit to receipt" figure, compared with
the bare one.
The layer is config/settings.py's (Redis pub/sub); CHANNEL_LAYER_BACKEND=
channels_redis.core.RedisChannelLayer measures the list-based one.

Prints p50/p99 for both and their ratio; writes var/bench/notices_fanout.json.
Usage: .venv/bin/python bench/notices_fanout.py [N ...]   (default: 100 1000)
BENCH_PIN=0 lets the server and the clients share every core.
"""

import asyncio
import gc
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psycopg
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB = "yrd_bench_notices"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
PORT = int(os.environ.get("BENCH_PORT", "8311"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
VERBOSE = os.environ.get("BENCH_VERBOSE") == "1"
PIN = os.environ.get("BENCH_PIN", "1") == "1"  # the server on one core, the clients on the others
ENV = {
    **os.environ,
    "DATABASE_URL": f"{ADMIN_URL.rsplit('/', 1)[0]}/{DB}",
    "REDIS_URL": REDIS_URL,
    "DJANGO_VAR_DIR": str(ROOT / "var" / "bench"),
    "LOG_LEVEL": "WARNING",
    "CHANNEL_LAYER_PREFIX": "yrd.bench.notices.",
    # Production mode, as the platform is served: no query log, no debug wrappers.
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32),
}


def manage(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True, input=stdin
    ).stdout


def prepare(max_clients: int) -> dict:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    manage("migrate", "-v0")
    manage("seed_demo")
    script = f"""
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from coordination.models import Membership, Organisation
User = get_user_model()
org = Organisation.objects.get(code="sh-liaison")
users = User.objects.bulk_create([User(username=f"bench-{{i}}", password="!") for i in range({max_clients})])
Membership.objects.bulk_create([Membership(user=u, organisation=org, role="liaison_officer") for u in users])
Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
js = Token.objects.get_or_create(user=User.objects.get(username="js-liaison"))[0].key
keys = Token.objects.filter(user__in=users).order_by("user_id").values_list("key", flat=True)
print(json.dumps({{"tokens": {{u.pk: t for u, t in zip(users, keys)}}, "js": js}}))
"""
    return json.loads(manage("shell", "-c", script).strip().splitlines()[-1])


def http_post(path, body, token):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


async def run(n: int, tokens: dict, js_token: str) -> dict:
    from django.utils.module_loading import import_string

    from notices.doorbell import bucket_group

    backend = os.environ.get("CHANNEL_LAYER_BACKEND", "channels_redis.pubsub.RedisPubSubChannelLayer")
    extra = {"capacity": 20000} if backend.endswith("core.RedisChannelLayer") else {}
    layer = import_string(backend)(hosts=[REDIS_URL], prefix=ENV["CHANNEL_LAYER_PREFIX"], **extra)  # as the server
    pairs = list(tokens.items())[:n]
    sockets = []
    for index, (user_id, token) in enumerate(pairs):
        for attempt in range(5):
            try:
                socket = await websockets.connect(
                    f"ws://127.0.0.1:{PORT}/ws/notices/?last_seq=0",
                    additional_headers={"Authorization": f"Token {token}", "Origin": f"http://127.0.0.1:{PORT}"},
                    max_queue=None,
                    open_timeout=60,
                    ping_interval=None,
                )
                break
            except (OSError, websockets.exceptions.InvalidMessage) as exc:
                print(f"client {index}: connect failed ({exc!r}), attempt {attempt + 1}", flush=True)
                await asyncio.sleep(1)
        hello = json.loads(await socket.recv())
        assert hello["type"] == "hello"
        sockets.append((int(user_id), socket))

    async def wait_all(kind, started):
        async def one(socket):
            while True:
                message = json.loads(await socket.recv())
                if message["type"] == kind:
                    received = time.perf_counter()
                    if kind == "notice":
                        now = time.time()
                        created = datetime.fromisoformat(message["created_at"]).timestamp()
                        committed = message.get("rung_at") or created
                        return received - started, now - created, now - committed
                    return received - started, None, None

        tasks = [asyncio.ensure_future(one(s)) for _u, s in sockets]
        _done, pending = await asyncio.wait(tasks, timeout=60)
        if pending:
            for task in pending:
                task.cancel()
            raise TimeoutError(f"{len(pending)} of {len(tasks)} clients got no {kind} within 60 s")
        return [task.result() for task in tasks]

    platform, from_event, from_commit, bare, responses = [], [], [], [], []
    for round_ in range(ROUNDS + 1):  # the first round warms up and is not counted
        # The clients' own garbage collection (1,000 sockets' worth of objects) would pause all
        # of them at once and show up as the server's latency: collect between rounds only.
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        waiter = asyncio.ensure_future(wait_all("notice", started))
        await asyncio.to_thread(
            http_post,
            "/api/v1/assignment-sheets/",
            {"title": f"扇出基准 {n}-{round_}", "matter": "bench", "addressee": "sh-liaison"},
            js_token,
        )
        responded = time.perf_counter() - started
        latencies = await waiter
        if round_:
            platform += [request for request, _event, _commit in latencies]
            from_event += [event for _request, event, _commit in latencies]
            from_commit += [commit for _request, _event, commit in latencies]
            if VERBOSE:
                commits = sorted(commit for _request, _event, commit in latencies)
                print(
                    f"  round {round_}: commit→receipt min {commits[0] * 1000:.0f} p50 "
                    f"{commits[len(commits) // 2] * 1000:.0f} max {commits[-1] * 1000:.0f} ms",
                    flush=True,
                )
            responses.append(responded)

        started = time.perf_counter()
        waiter = asyncio.ensure_future(wait_all("probe", started))
        for group in sorted({bucket_group(u) for u, _s in sockets}):
            await layer.group_send(group, {"type": "notices.probe", "id": round_})
        latencies = await waiter
        gc.enable()
        if round_:
            bare += [request for request, _none, _none2 in latencies]
    for _u, socket in sockets:
        await socket.close()
    return {
        "clients": n,
        "rounds": ROUNDS,
        "layer": backend.rsplit(".", 1)[-1],
        "platform_ms": {"p50": pct(platform, 50) * 1000, "p99": pct(platform, 99) * 1000},
        "from_event_ms": {"p50": pct(from_event, 50) * 1000, "p99": pct(from_event, 99) * 1000},
        "from_commit_ms": {"p50": pct(from_commit, 50) * 1000, "p99": pct(from_commit, 99) * 1000},
        "bare_ms": {"p50": pct(bare, 50) * 1000, "p99": pct(bare, 99) * 1000},
        "api_response_ms_median": statistics.median(responses) * 1000,
        "ratio_p99": pct(platform, 99) / pct(bare, 99),
        "ratio_p99_from_event": pct(from_event, 99) / pct(bare, 99),
        "ratio_p99_from_commit": pct(from_commit, 99) / pct(bare, 99),
    }


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000]
    print(f"preparing {DB} with {max(sizes)} clients…", flush=True)
    data = prepare(max(sizes))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    daphne = str(Path(sys.executable).parent / "daphne")
    # The server gets a core of its own and the N clients the other ones (PostgreSQL and Redis
    # float): otherwise the clients' own work shows up as the server's latency.
    cores = sorted(os.sched_getaffinity(0))
    pin = PIN and len(cores) >= 2
    command = [daphne, "-b", "127.0.0.1", "-p", str(PORT), "config.asgi:application"]
    server = subprocess.Popen(
        ["taskset", "-c", str(cores[0]), *command] if pin else command,
        cwd=ROOT,
        env=ENV,
        stdout=open(ROOT / "var" / "bench" / "daphne.log", "w"),  # noqa: SIM115 - lives as long as the server
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        if pin:
            os.sched_setaffinity(0, cores[1:])
        results = [asyncio.run(run(n, data["tokens"], data["js"])) for n in sizes]
    finally:
        server.terminate()
        server.wait(10)
    print(f"layer: {results[0]['layer']}; latencies in ms from the request, the notices' writing, the commit")
    print(
        f"{'clients':>8} {'request p50':>12} {'p99':>7} {'event p50':>10} {'p99':>7} {'commit p50':>11} {'p99':>7} "
        f"{'bare p50':>9} {'p99':>7} {'p99 ratio commit/bare':>22} {'API resp':>9}"
    )
    for r in results:
        print(
            f"{r['clients']:>8} {r['platform_ms']['p50']:>12.1f} {r['platform_ms']['p99']:>7.1f} "
            f"{r['from_event_ms']['p50']:>10.1f} {r['from_event_ms']['p99']:>7.1f} "
            f"{r['from_commit_ms']['p50']:>11.1f} {r['from_commit_ms']['p99']:>7.1f} "
            f"{r['bare_ms']['p50']:>9.1f} {r['bare_ms']['p99']:>7.1f} "
            f"{r['ratio_p99_from_commit']:>21.2f}× {r['api_response_ms_median']:>9.1f}"
        )
    (ROOT / "var" / "bench" / "notices_fanout.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
