#!/usr/bin/env python
"""F1 at population scale: a region's daily red/yellow list of BENCH_RECORDS (1,000,000) people
ingested from CSV, then green-code lookups against the latest lists.

    .venv/bin/python bench/health_codes.py

A database of its own (`yrd_bench_health_codes` on 127.0.0.1, or BENCH_HEALTH_CODES_DATABASE_URL).
The CSV (GBK, like a provincial export; var/bench/health-codes-1m.csv, made once) holds valid
resident ID numbers, a fifth red. `ingest` is the upload's service as the API runs it
(`csv_rows` + `list_ingest`: decode, check every number's check digit, keyed-hash it, COPY,
in one transaction), on a database that already holds the three other regions' lists of the
same size. Then BENCH_LOOKUPS (20,000) lookups by ID number, half of them listed, through
`colour_of` (the keyed hash and one indexed query over the four latest lists): in one thread,
and from BENCH_LOOKUP_THREADS (4) checkpoints at once, each its own connection — the figure the
target is read against, as a lookup service answers many checkpoints (one thread mostly waits
for the database's round trip, ~0.2 ms here).

Targets (issue 15): 1,000,000 records ingested in ≤ 60 s; lookups ≥ 5,000/s. Output: a table and
var/bench/health_codes.json. Nothing here asserts: it measures.
"""

import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._db import log, prepare, setup_django  # noqa: E402

URL = os.environ.get("BENCH_HEALTH_CODES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yrd_bench_health_codes")
RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "20000"))
LOOKUP_THREADS = int(os.environ.get("BENCH_LOOKUP_THREADS", "4"))
GENERATOR_VERSION = 2  # 2: the covering index
TARGET_INGEST_S, TARGET_LOOKUPS = 60, 5000
OUT_DIR = ROOT / "var" / "bench"
PREFIXES = {"310000": "310101", "320000": "320102", "330000": "330102", "340000": "340702"}


def people(region: str, count: int) -> list[str]:
    from coordination.pii import idcard

    prefix, rng = PREFIXES[region], random.Random(int(region))
    found, seen = [], set()
    while len(found) < count:
        born = f"{rng.randint(1940, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 = f"{prefix}{born}{rng.randint(0, 999):03d}"
        if first17 not in seen:
            seen.add(first17)
            found.append(idcard.with_check_character(first17))
    return found


def csv_for(region: str, numbers: list[str]) -> Path:
    path = OUT_DIR / f"health-codes-{region}-{len(numbers)}.csv"
    if not path.exists():
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        lines = ["身份证号,码色"] + [f"{n},{'红' if i % 5 == 0 else '黄'}" for i, n in enumerate(numbers)]
        path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


def ingest(region: str, path: Path, *, day) -> float:
    from django.contrib.auth import get_user_model

    from coordination.mechanisms.health_codes.ingest import csv_rows, list_ingest
    from coordination.models import Region

    officer = (
        get_user_model()
        .objects.select_related("membership__organisation")
        .get(
            username={"310000": "sh-liaison", "320000": "js-liaison", "330000": "zj-liaison", "340000": "ah-liaison"}[
                region
            ]
        )
    )
    started = time.perf_counter()
    with path.open("rb") as upload:
        rows, digest = csv_rows(upload)
        ingested = list_ingest(
            by=officer,
            organisation=officer.membership.organisation,
            region=Region.objects.get(pk=region),
            list_date=day,
            rows=rows,
            digest=digest,
        )
    assert ingested.created and ingested.code_list.records == RECORDS, ingested.code_list.records
    return time.perf_counter() - started


def in_threads(threads: int, slices: list[list[str]]) -> float:
    """Lookups per second of `threads` checkpoints at once, each its own connection (a thread
    waiting on the database lets the others run)."""
    import threading

    from django.db import connections

    from coordination.mechanisms.health_codes.lookups import colour_of

    barrier = threading.Barrier(threads + 1)

    def run(numbers):
        colour_of(numbers[0])  # connected and prepared before the clock starts
        barrier.wait()
        for number in numbers:
            colour_of(number)
        connections.close_all()

    workers = [threading.Thread(target=run, args=(numbers,)) for numbers in slices]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return sum(len(numbers) for numbers in slices) / (time.perf_counter() - started)


def main() -> None:
    fresh = not prepare(
        URL,
        marker_sql="SELECT version, records FROM bench_dataset",
        wanted=(GENERATOR_VERSION, RECORDS),
        holds_data=lambda conn: True,
        describe=f"health codes bench v{GENERATOR_VERSION}, {RECORDS:,} per region",
    )
    setup_django(URL)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from coordination.mechanisms.health_codes.lookups import colour_of, forget_latest_lists
    from coordination.mechanisms.health_codes.models import CodeList, CodeListEntry

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    numbers = {region: people(region, RECORDS) for region in PREFIXES}
    files = {region: csv_for(region, numbers[region]) for region in PREFIXES}
    if fresh:
        from coordination.demo import seed_organisations, seed_users

        seed_users(seed_organisations())
        for region in ("320000", "330000", "340000"):
            log(f"loading {region}'s list ({RECORDS:,})…")
            ingest(region, files[region], day=today)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_dataset (version integer, records integer)")
            cursor.execute("INSERT INTO bench_dataset VALUES (%s, %s)", [GENERATOR_VERSION, RECORDS])
    # Shanghai's list of today, timed; removed afterwards so the next run times the same.
    CodeListEntry.objects.filter(code_list__region_id="310000").delete()
    CodeList.objects.filter(region_id="310000").delete()
    log(f"ingesting Shanghai's list of {RECORDS:,} (GBK CSV, {files['310000'].stat().st_size / 2**20:.0f} MiB)…")
    ingest_s = ingest("310000", files["310000"], day=today)
    log(f"  {ingest_s:.1f} s ({RECORDS / ingest_s:,.0f} records/s)")
    # What autovacuum does within a minute of a day's load (PostgreSQL 13+ vacuums after inserts):
    # the visibility map set, so lookups read the covering index alone.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE health_codes_codelistentry")

    forget_latest_lists()
    rng = random.Random(7)
    listed = [rng.choice(numbers[rng.choice(list(PREFIXES))]) for _ in range(LOOKUPS // 2)]
    absent = people("310000", RECORDS + LOOKUPS // 2)[RECORDS:]
    queries = listed + absent
    rng.shuffle(queries)
    for number in queries[:500]:
        colour_of(number)  # warm
    started = time.perf_counter()
    colours = [colour_of(number).colour for number in queries]
    single_per_s = len(queries) / (time.perf_counter() - started)
    assert sum(1 for colour in colours if colour != "green") >= len(listed) * 0.99
    per_s = in_threads(LOOKUP_THREADS, [queries[n::LOOKUP_THREADS] for n in range(LOOKUP_THREADS)])
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": os.getloadavg(),
        "records": RECORDS,
        "lists_held": CodeList.objects.filter(superseded_at__isnull=True).count(),
        "entries_held": CodeListEntry.objects.count(),
        "ingest_s": round(ingest_s, 2),
        "ingest_records_per_s": round(RECORDS / ingest_s),
        "lookups": len(queries),
        "lookups_per_s_one_thread": round(single_per_s),
        "lookup_threads": LOOKUP_THREADS,
        "lookups_per_s": round(per_s),
        "meets_ingest_target": ingest_s <= TARGET_INGEST_S,
        "meets_lookup_target": per_s >= TARGET_LOOKUPS,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "health_codes.json").write_text(json.dumps(result, indent=2))
    log()
    met = result["meets_ingest_target"]
    log(f"ingest of {RECORDS:,} records: {ingest_s:.1f} s (target ≤ {TARGET_INGEST_S} s): {met}")
    log(f"lookups, one thread: {single_per_s:,.0f}/s")
    log(
        f"lookups, {LOOKUP_THREADS} threads: {per_s:,.0f}/s over {result['lists_held']} lists, "
        f"{result['entries_held']:,} entries "
        f"(target ≥ {TARGET_LOOKUPS:,}/s): {result['meets_lookup_target']}"
    )
    log(f"written: {OUT_DIR / 'health_codes.json'}")


if __name__ == "__main__":
    main()
