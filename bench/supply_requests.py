#!/usr/bin/env python
"""Pledges to mutual-aid requests on one hot item, and the shortage board at 100,000 open lines.

    .venv/bin/python bench/supply_requests.py

A database of its own (`yrd_bench_supply_requests` on 127.0.0.1, or
BENCH_SUPPLY_REQUESTS_DATABASE_URL). Each round empties the requests and the ledger, receives
N95 masks into Zhejiang's reserve and files BENCH_THREADS × BENCH_PER_THREAD one-line requests
from Jiangsu; then, side by side:

- `service`: BENCH_THREADS (8) threads released together, each pledging one mask from that one
  warehouse to its own requests through the engine (`transition_fire(…, "pledge")`: the joining
  check, the case's lock, the payload, the pledge row, the reservation under the balance's row
  lock, the line's totals, the audit chain and the outbox) — every pledge queues on one balance;
- `api`: the same through the API (`POST /api/v1/supply-requests/{id}/transitions/pledge/`, the
  DRF stack in process, with Idempotency-Key);
- `processes`: the service call from BENCH_THREADS client processes instead of threads (each
  its own interpreter and connection, as the platform's worker processes are): the same work
  without one interpreter's lock between the clients;
- `plain`: the same threads inserting the same pledge and movement rows, one pair per
  transaction, no locks, no engine: the floor on this database and driver.

Every service and API round checks that each pledge landed once, that nothing is reserved
beyond what was pledged and that `ledger_check()` finds nothing.

Then BENCH_LINES (100,000) open request lines over the catalogue and the four regions (rows
inserted directly: the bench owns its database; the triggers keep the shortage totals as for
any write) and BENCH_BOARD_CALLS (200) reads of the shortage board: `shortage_list()` and
`GET /api/v1/shortage/`, p50/p95/p99; then `shortage_check()` holds the kept totals against
the lines.

Targets (issue 13): ≥ 300 pledges/s at the service layer with zero invariant violations; the
shortage board for 100,000 open lines p95 ≤ 50 ms. Output: a table and
var/bench/supply_requests.json. Nothing here asserts: it measures.
"""

import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._db import log, prepare, setup_django  # noqa: E402
from bench.supplies import in_threads  # noqa: E402

URL = os.environ.get(
    "BENCH_SUPPLY_REQUESTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yrd_bench_supply_requests"
)
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
PER_THREAD = int(os.environ.get("BENCH_PER_THREAD", "60"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LINES = int(os.environ.get("BENCH_LINES", "100000"))
BOARD_CALLS = int(os.environ.get("BENCH_BOARD_CALLS", "200"))
GENERATOR_VERSION = 1
TARGET_PER_S, TARGET_BOARD_P95_MS = 300, 50
VARIANTS = ("service", "processes", "api", "plain")
OUT_DIR = ROOT / "var" / "bench"
WAREHOUSE, ITEM = "zj-medical-reserve", "mask-n95"


def prepare_database() -> None:
    fresh = not prepare(
        URL,
        marker_sql="SELECT version FROM bench_dataset",
        wanted=(GENERATOR_VERSION,),
        holds_data=lambda conn: True,
        describe=f"supply requests bench v{GENERATOR_VERSION}",
    )
    setup_django(URL)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        from coordination.demo import seed_organisations, seed_users
        from supplies.demo import seed_capacity, seed_catalogue, seed_warehouses

        seed_users(seed_organisations())
        seed_capacity(seed_catalogue())
        seed_warehouses()
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_dataset (version integer)")
            cursor.execute("INSERT INTO bench_dataset VALUES (%s)", [GENERATOR_VERSION])


def empty() -> None:
    """Requests, their rows and the ledger emptied (the bench owns this database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE supplies_shortfall, supplies_shipmenthop, supplies_shipmentline, supplies_shipment,"
            " supplies_allocationorder_pledges, supplies_allocationorder, supplies_pledge, supplies_requestline,"
            " supplies_supplyrequestgroupobjectpermission, supplies_supplyrequest, supplies_shortagetotal,"
            " supplies_stockmovement, supplies_stockbalance, coordination_idempotencyrecord CASCADE"
        )
        cursor.execute(
            "DELETE FROM coordination_participant WHERE content_type_id IN"
            " (SELECT id FROM django_content_type WHERE app_label = 'supplies')"
        )
        cursor.execute(
            "DELETE FROM coordination_auditentry WHERE content_type_id IN"
            " (SELECT id FROM django_content_type WHERE app_label = 'supplies')"
        )


def file_requests(count: int, ctx) -> list[int]:
    """`count` one-line requests of one mask each from Jiangsu, through the engine in bulk."""
    from django.utils import timezone

    from coordination.workflow.engine import NewCase, cases_create_many
    from supplies.models import RequestLine, SupplyRequest

    fields = {
        "requesting_region_id": "320000",
        "urgency": "critical",
        "needed_by": timezone.localdate() + timedelta(days=2),
        "delivery_address": "南京市江宁区",
        "receiving_warehouse": ctx["js_warehouse"],
        "contact_name": "江苏联络员",
        "contact_phone": "13951000001",
        "contact_phone_masked": "139****0001",
    }
    cases = cases_create_many(SupplyRequest, [NewCase("bench", (), fields) for _ in range(count)], by=ctx["js"])
    RequestLine.objects.bulk_create(
        RequestLine(request=case, number=1, item=ctx["item"], quantity=1, region_id="320000") for case in cases
    )
    return [case.pk for case in cases]


def _process_worker(pks, barrier, results) -> None:
    """One client process of the `processes` variant (spawned: a Django of its own, its own
    connection): waits at the barrier, then pledges one mask to each of its requests."""
    setup_django(URL)
    from django.contrib.auth import get_user_model
    from django.db import connection, connections

    from coordination.workflow.engine import transition_fire
    from supplies.models import SupplyRequest

    zj = get_user_model().objects.select_related("membership__organisation").get(username="zj-liaison")
    payload = {"lines": [{"line": 1, "quantity": 1, "warehouse": WAREHOUSE}]}
    connection.ensure_connection()
    latencies, errors = [], []
    barrier.wait()
    try:
        for pk in pks:
            started = time.perf_counter()
            transition_fire(SupplyRequest, pk, "pledge", by=zj, data=payload)
            latencies.append(time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - reported with the figures
        errors.append(repr(exc))
    finally:
        connections.close_all()
        results.put((latencies, errors))


def in_processes(pks: list[int]) -> dict:
    """BENCH_THREADS client processes released together, each pledging to its share of `pks`:
    how the platform runs in production (several worker processes), without one interpreter's
    lock between the clients."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(THREADS + 1), spawn.Queue()
    workers = [spawn.Process(target=_process_worker, args=(pks[n::THREADS], barrier, results)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    latencies, errors = [], []
    for _ in workers:
        mine, failed = results.get()
        latencies += mine
        errors += failed
    wall = time.perf_counter() - started
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "calls": len(latencies),
        "wall_s": wall,
        "per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else None,
        "errors": errors[:3],
    }


def one_round(ctx, variant: str) -> dict:
    import itertools
    import threading

    from django.db import transaction
    from rest_framework.test import APIClient

    from coordination.workflow.engine import transition_fire
    from supplies.models import Pledge, RequestLine, StockBalance, StockMovement, SupplyRequest
    from supplies.services import ledger_check, stock_receive

    total = THREADS * PER_THREAD
    empty()
    stock_receive(ctx["warehouse"], ctx["item"], total, by=ctx["zj"], reason="bench")
    pks = file_requests(total, ctx)
    queue, lock = iter(pks), threading.Lock()

    def next_pk():
        with lock:
            return next(queue)

    payload = {"lines": [{"line": 1, "quantity": 1, "warehouse": WAREHOUSE}]}
    if variant == "service":

        def call():
            transition_fire(SupplyRequest, next_pk(), "pledge", by=ctx["zj"], data=payload)

    elif variant == "api":
        local = threading.local()

        def call():
            if not hasattr(local, "client"):
                local.client = APIClient()
                local.client.force_authenticate(ctx["zj"])
            response = local.client.post(
                f"/api/v1/supply-requests/{next_pk()}/transitions/pledge/",
                {"payload": payload},
                format="json",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            )
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} {response.content[:200]!r}")

    elif variant == "plain":
        lines = dict(RequestLine.objects.filter(request_id__in=pks).values_list("request_id", "pk"))
        counter = itertools.count(1)

        def call():
            pk = next_pk()
            with transaction.atomic():
                pledge = Pledge.objects.create(
                    request_id=pk,
                    line_id=lines[pk],
                    organisation=ctx["zj_org"],
                    source="stock",
                    warehouse=ctx["warehouse"],
                    offered=1,
                    held=1,
                    pledged_by=ctx["zj"],
                )
                StockMovement.objects.create(
                    kind="reservation",
                    warehouse=ctx["warehouse"],
                    item=ctx["item"],
                    on_hand_delta=0,
                    reserved_delta=1,
                    on_hand_after=total,
                    reserved_after=min(next(counter), total),
                    actor=ctx["zj"],
                    organisation=ctx["zj_org"],
                    reference_type=ctx["pledge_type"],
                    reference_id=pledge.pk,
                )

    if variant == "processes":
        from django.db import connections

        connections.close_all()
        result = in_processes(pks)
    else:
        result = in_threads(THREADS, PER_THREAD, call)
    if variant != "plain":
        balance = StockBalance.objects.get(warehouse=ctx["warehouse"], item=ctx["item"])
        pledged = Pledge.objects.filter(state="offered").count()
        result["all_landed"] = pledged == total and balance.reserved == total
        result["ledger_balanced"] = ledger_check() == []
    empty()
    return result


def board(ctx) -> dict:
    """BENCH_LINES open lines, then the shortage board read BENCH_BOARD_CALLS times."""
    from django.db import connection
    from rest_framework.test import APIClient

    from supplies.models import RequestLine, SupplyItem
    from supplies.shortage import shortage_check, shortage_list

    empty()
    rng = random.Random(13)
    items = list(SupplyItem.objects.all())
    regions = ["310000", "320000", "330000", "340000"]
    per_request = min(20, len(items))  # 100,000 lines over 5,000 requests
    log(f"filing {LINES:,} open lines ({LINES // per_request:,} requests)…")
    started = time.perf_counter()
    pks, wanted = [], LINES // per_request
    while len(pks) < wanted:
        pks += file_requests(min(5000, wanted - len(pks)), ctx)
    rows = []
    for pk in pks:
        for number, item in enumerate(rng.sample(items, per_request), start=1):
            quantity = rng.randint(1, 5000)
            rows.append(
                RequestLine(
                    request_id=pk,
                    number=number + 1,
                    item=item,
                    quantity=quantity,
                    allocated=rng.choice([0, 0, quantity // 2]),
                    pledged=rng.choice([0, quantity // 3]),
                    region_id=rng.choice(regions),
                )
            )
    RequestLine.objects.filter(request_id__in=pks).delete()
    RequestLine.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE supplies_requestline")
    log(f"  filed in {time.perf_counter() - started:.0f} s")
    client = APIClient()
    client.force_authenticate(ctx["zj"])

    def timed(call) -> dict:
        call()  # warm
        latencies = []
        for _ in range(BOARD_CALLS):
            t = time.perf_counter()
            call()
            latencies.append((time.perf_counter() - t) * 1000)
        latencies.sort()
        return {
            "p50_ms": round(latencies[len(latencies) // 2], 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)], 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)], 2),
        }

    def api():
        response = client.get("/api/v1/shortage/")
        assert response.status_code == 200, response.status_code

    open_lines = RequestLine.objects.filter(open=True).count()
    result = {"open_lines": open_lines, "selector": timed(shortage_list), "api": timed(api)}
    result["filtered_item"] = timed(lambda: shortage_list(item=ITEM))
    result["totals_agree"] = shortage_check() == []  # the trigger-kept totals against the 100,000 lines
    empty()
    return result


def main() -> None:
    prepare_database()
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from supplies.models import Pledge, SupplyItem, Warehouse

    User = get_user_model()
    zj = User.objects.select_related("membership__organisation").get(username="zj-liaison")
    js = User.objects.select_related("membership__organisation").get(username="js-liaison")
    ctx = {
        "zj": zj,
        "zj_org": zj.membership.organisation,
        "js": js,
        "warehouse": Warehouse.objects.get(code=WAREHOUSE),
        "js_warehouse": Warehouse.objects.get(code="js-emergency-reserve"),
        "item": SupplyItem.objects.get(code=ITEM),
        "pledge_type": ContentType.objects.get_for_model(Pledge),
    }
    log(f"{THREADS} threads × {PER_THREAD} pledges of one {ITEM} from {WAREHOUSE}; 1 warm-up, {ROUNDS} rounds")
    for variant in VARIANTS:
        one_round(ctx, variant)
    runs = {variant: [] for variant in VARIANTS}
    for n in range(ROUNDS):
        for variant in runs:
            runs[variant].append(one_round(ctx, variant))
        log(f"  round {n + 1}: " + ", ".join(f"{v} {runs[v][-1]['per_s']:.0f}/s" for v in runs))

    def median(rows, key):
        values = [row[key] for row in rows if row.get(key) is not None]
        return round(statistics.median(values), 2) if values else None

    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "threads": THREADS,
        "per_thread": PER_THREAD,
        "rounds": ROUNDS,
        **{v: {k: median(rows, k) for k in ("per_s", "p50_ms", "p99_ms")} for v, rows in runs.items()},
        "all_landed": all(r["all_landed"] for v in VARIANTS if v != "plain" for r in runs[v]),
        "ledger_balanced": all(r["ledger_balanced"] for v in VARIANTS if v != "plain" for r in runs[v]),
        "errors": [e for rows in runs.values() for r in rows for e in r["errors"]][:5],
    }
    result["plain_over_service"] = round(result["plain"]["per_s"] / result["service"]["per_s"], 2)
    result["best_service_per_s"] = max(result["service"]["per_s"], result["processes"]["per_s"])
    result["board"] = board(ctx)
    result["meets_pledge_target"] = result["best_service_per_s"] >= TARGET_PER_S
    result["meets_board_target"] = result["board"]["api"]["p95_ms"] <= TARGET_BOARD_P95_MS
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "supply_requests.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))

    log()
    log(f"{'variant':<26}{'per s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for variant in runs:
        row = result[variant]
        clients = f"{THREADS} processes" if variant == "processes" else f"{THREADS} threads"
        log(f"{variant + ', ' + clients:<26}{row['per_s']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}")
    log(f"plain/service: {result['plain_over_service']}×; pledges ≥ {TARGET_PER_S}/s: {result['meets_pledge_target']}")
    log(f"every pledge landed: {result['all_landed']}; ledger balanced: {result['ledger_balanced']}")
    b = result["board"]
    log(f"shortage board, {b['open_lines']:,} open lines:")
    for name in ("selector", "api", "filtered_item"):
        log(f"  {name:<16} p50 {b[name]['p50_ms']} ms, p95 {b[name]['p95_ms']} ms, p99 {b[name]['p99_ms']} ms")
    log(f"board p95 ≤ {TARGET_BOARD_P95_MS} ms (API): {result['meets_board_target']}")
    log(f"kept shortage totals agree with the lines: {b['totals_agree']}")
    if result["errors"]:
        log(f"errors: {result['errors']}")
    log(f"written: {OUT_DIR / 'supply_requests.json'}")


if __name__ == "__main__":
    main()
