#!/usr/bin/env python
"""Stock reservations on one hot item: the ledger service under contention against plain inserts
of the same movement rows, side by side in one run.

    .venv/bin/python bench/supplies.py

A database of its own (`yrd_bench_supplies` on 127.0.0.1, or BENCH_SUPPLIES_DATABASE_URL) holds
the demo organisations and users, the supply catalogue and the warehouses. Each round starts
from an empty ledger, receives enough N95 masks into Jiangsu's emergency reserve, then:

- `service`: BENCH_THREADS (8) threads released together, each making BENCH_PER_THREAD (250)
  reservations of one mask through `stock_reserve` (validation, the balance's row lock, the
  movement insert, the balance update, commit) — all on the same balance row, so they queue on
  its lock: the worst case of a shortage, every region pledging the same item at once;
- `plain`: the same threads inserting the same movement rows, one per transaction, with no lock
  and no balance: the floor a ledger on this database and driver cannot beat;
- `service, 1 thread`: the service alone, uncontended, for the cost of one call.

BENCH_WARMUP (1) rounds, then BENCH_ROUNDS (5) interleaved; medians of the rates, p50/p99 of
the per-call latencies. Each service round checks that exactly all reservations landed and that
`ledger_check()` finds nothing. Target (issue 13): ≥ 300 reservations/s with 8 threads.
Output: a table and var/bench/supplies.json. Nothing here asserts: it measures.
"""

import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._db import log, prepare, setup_django  # noqa: E402

URL = os.environ.get("BENCH_SUPPLIES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yrd_bench_supplies")
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
PER_THREAD = int(os.environ.get("BENCH_PER_THREAD", "250"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "1"))
GENERATOR_VERSION = 1
TARGET_PER_S = 300
OUT_DIR = ROOT / "var" / "bench"
WAREHOUSE, ITEM, OFFICER = "js-emergency-reserve", "mask-n95", "js-liaison"


def prepare_database() -> None:
    fresh = not prepare(
        URL,
        marker_sql="SELECT version FROM bench_dataset",
        wanted=(GENERATOR_VERSION,),
        holds_data=lambda conn: True,
        describe=f"supplies bench v{GENERATOR_VERSION}",
    )
    setup_django(URL)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        from coordination.demo import seed_organisations, seed_users
        from supplies.demo import seed_catalogue, seed_warehouses

        seed_users(seed_organisations())
        seed_catalogue()
        seed_warehouses()
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_dataset (version integer)")
            cursor.execute("INSERT INTO bench_dataset VALUES (%s)", [GENERATOR_VERSION])


def empty_ledger() -> None:
    """The bench database's ledger emptied (its movements are append-only for the platform; the
    bench owns this database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE supplies_stockmovement, supplies_stockbalance")


def in_threads(threads: int, calls: int, call) -> dict:
    """`calls` calls of `call()` in each of `threads` threads released together: the wall time
    from release to the last thread's end, and every call's latency."""
    from django.db import connection, connections

    barrier = threading.Barrier(threads + 1)
    latencies, errors, lock = [], [], threading.Lock()

    def run():
        mine = []
        try:
            connection.ensure_connection()  # connecting is not what is measured
            barrier.wait()
            for _ in range(calls):
                started = time.perf_counter()
                call()
                mine.append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            errors.append(repr(exc))
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "calls": len(latencies),
        "wall_s": wall,
        "per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else None,
        "errors": errors[:3],
    }


def one_round(context, threads: int) -> dict:
    from django.db import transaction

    from supplies.models import StockBalance, StockMovement
    from supplies.services import ledger_check, stock_receive, stock_reserve

    warehouse, item, officer = context["warehouse"], context["item"], context["officer"]
    total = threads * PER_THREAD
    empty_ledger()
    stock_receive(warehouse, item, total, by=officer, reason="bench")

    service = in_threads(threads, PER_THREAD, lambda: stock_reserve(warehouse, item, 1, by=officer))
    balance = StockBalance.objects.get(warehouse=warehouse, item=item)
    service["all_landed"] = balance.reserved == total and balance.free == 0
    service["ledger_balanced"] = ledger_check() == []

    receipt = StockMovement.objects.get(kind="receipt")

    def plain_insert():
        with transaction.atomic():
            StockMovement.objects.create(
                kind="reservation",
                warehouse=warehouse,
                item=item,
                on_hand_delta=0,
                reserved_delta=1,
                on_hand_after=total,
                reserved_after=1,
                actor=officer,
                organisation_id=receipt.organisation_id,
            )

    plain = in_threads(threads, PER_THREAD, plain_insert) if threads > 1 else None
    empty_ledger()
    return {"service": service, "plain": plain}


def main() -> None:
    prepare_database()
    from django.contrib.auth import get_user_model

    from supplies.models import SupplyItem, Warehouse

    officer = get_user_model().objects.select_related("membership__organisation").get(username=OFFICER)
    context = {
        "warehouse": Warehouse.objects.get(code=WAREHOUSE),
        "item": SupplyItem.objects.get(code=ITEM),
        "officer": officer,
    }
    log(
        f"{THREADS} threads × {PER_THREAD} reservations of one {ITEM} in {WAREHOUSE}; {WARMUP} warm-up, {ROUNDS} rounds"
    )
    for _ in range(WARMUP):
        one_round(context, THREADS)
    rounds, singles = [], []
    for n in range(ROUNDS):
        rounds.append(one_round(context, THREADS))
        singles.append(one_round(context, 1)["service"])
        service, plain = rounds[-1]["service"], rounds[-1]["plain"]
        single = singles[-1]["per_s"]
        log(f"  round {n + 1}: service {service['per_s']:.0f}/s, plain {plain['per_s']:.0f}/s, 1 thread {single:.0f}/s")

    def median(rows, key):
        values = [row[key] for row in rows if row and row[key] is not None]
        return round(statistics.median(values), 2) if values else None

    services = [r["service"] for r in rounds]
    plains = [r["plain"] for r in rounds]
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "threads": THREADS,
        "per_thread": PER_THREAD,
        "rounds": ROUNDS,
        "service": {k: median(services, k) for k in ("per_s", "p50_ms", "p99_ms")},
        "plain": {k: median(plains, k) for k in ("per_s", "p50_ms", "p99_ms")},
        "service_1_thread": {k: median(singles, k) for k in ("per_s", "p50_ms", "p99_ms")},
        "all_landed": all(s["all_landed"] for s in services + singles),
        "ledger_balanced": all(s["ledger_balanced"] for s in services + singles),
        "errors": [e for s in services + plains + singles for e in s["errors"]][:5],
        "target_per_s": TARGET_PER_S,
    }
    result["plain_over_service"] = round(result["plain"]["per_s"] / result["service"]["per_s"], 2)
    result["meets_target"] = result["service"]["per_s"] >= TARGET_PER_S
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "supplies.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))

    log()
    log(f"{'variant':<22}{'per s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, key in [(f"service, {THREADS} threads", "service"), (f"plain, {THREADS} threads", "plain")]:
        row = result[key]
        log(f"{name:<22}{row['per_s']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}")
    row = result["service_1_thread"]
    log(f"{'service, 1 thread':<22}{row['per_s']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}")
    log()
    verdict = "met" if result["meets_target"] else "NOT met"
    log(f"plain/service: {result['plain_over_service']}×; target ≥ {TARGET_PER_S}/s: {verdict}")
    log(f"every reservation landed: {result['all_landed']}; ledger balanced: {result['ledger_balanced']}")
    if result["errors"]:
        log(f"errors: {result['errors']}")
    log(f"written: {OUT_DIR / 'supplies.json'}")


if __name__ == "__main__":
    main()
