#!/usr/bin/env python
"""INS at scale: batch ingestion through the real API, the centre's review queue and the
hospital's "my filings", each page side by side with the same query as bare SQL.

    .venv/bin/python bench/insurance.py          # or: make bench [BENCH_FILINGS=100000]

It runs on a dedicated PostgreSQL database (BENCH_INS_DATABASE_URL, default yrd_bench_ins on
the local server), which it (re)creates when its data set is missing or of another size:
migrations, then `manage.py generate_scale_data` (the demo organisations and users, then
BENCH_FILINGS filings, BENCH_NOTICES measure notices and BENCH_SHEETS assignment sheets, created
and answered through the engine, with their inbox notices and pending outbox events), then the
generated inbox notices marked read (`inbox_read`). A rerun with the same sizes reuses the data;
bench/briefing.py reads the same database.

(a) ingestion: BENCH_INGEST_BATCHES POSTs of BENCH_INGEST_SIZE new filings each to
    /api/v1/insurance-filings/batch/ (DRF's APIClient, the whole stack from the URL resolver
    down), as wuxi-hospital. Each POST commits, so its after-commit work (the doorbell, the
    hand-over of outbox events to Celery) is timed too; afterwards everything the batches wrote
    is deleted (filings, participants, permission rows, audit entries, outbox events, notices)
    and the mailboxes' and reference sequences' counters are put back, so the data set stays
    as generated.
(b) the centre's queue page /insurance/queue/ (sh-insurance: first 50 by deadline) and
(c) the hospital's /insurance/filings/ (wuxi-hospital: newest 50), each against the ORM
    queryset alone and the same SELECT as bare SQL (and the page's COUNT, as bare SQL too).

Results: a table on stdout and var/bench/insurance.json. Nothing here asserts: it measures.
Environment: BENCH_FILINGS (1_000_000), BENCH_NOTICES (10_000), BENCH_SHEETS (100_000),
BENCH_SEED (2020), BENCH_REPEATS (30), BENCH_WARMUP (3), BENCH_INGEST_BATCHES (5),
BENCH_INGEST_SIZE (500).
"""

import json
import math
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _db  # noqa: E402 - bench/_db.py: the bench databases


def _size(name: str, default: str) -> int:
    return int(os.environ.get(name, default).replace("_", ""))


DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/yrd_bench_ins"
DATABASE_URL = os.environ.get("BENCH_INS_DATABASE_URL") or DEFAULT_DATABASE_URL
GENERATOR_VERSION = 2  # bump when generate_scale_data changes shape: the next run regenerates
SIZES = {
    "filings": _size("BENCH_FILINGS", "1000000"),
    "notices": _size("BENCH_NOTICES", "10000"),
    "sheets": _size("BENCH_SHEETS", "100000"),
}
SEED = _size("BENCH_SEED", "2020")
REPEATS = _size("BENCH_REPEATS", "30")
WARMUP = _size("BENCH_WARMUP", "3")
INGEST_BATCHES = _size("BENCH_INGEST_BATCHES", "5")
INGEST_SIZE = _size("BENCH_INGEST_SIZE", "500")
PAGE = 50
OUT_DIR = ROOT / "var" / "bench"
INGEST_REFERENCE_PREFIX = "BENCH-"  # the hospital references of ingested filings (generated: HIS-…)
TARGETS = {"ingest_per_s": 1000, "queue_p95_ms": 50, "my_filings_p95_ms": 50}


log = _db.log


# --- the database (shared with bench/briefing.py) ------------------------------------------------


def wanted_marker() -> tuple:
    return (GENERATOR_VERSION, SIZES["filings"], SIZES["notices"], SIZES["sheets"], SEED)


def prepare_database() -> bool:
    """Make sure the bench database exists; True when it already holds this data set."""

    def holds_data(conn) -> bool:
        # Not counting what an ingestion run (this one's, or one interrupted) wrote.
        count = conn.execute(
            "SELECT count(*) FROM insurance_insurancefiling WHERE hospital_reference NOT LIKE %s",
            [INGEST_REFERENCE_PREFIX + "%"],
        ).fetchone()[0]
        return count == SIZES["filings"]

    return _db.prepare(
        DATABASE_URL,
        marker_sql="SELECT generator, filings, notices, sheets, seed FROM bench_dataset",
        wanted=wanted_marker(),
        holds_data=holds_data,
        describe=f"{SIZES} (generator v{GENERATOR_VERSION}, seed {SEED})",
    )


def setup_django() -> None:
    _db.setup_django(DATABASE_URL, test_client=True)


def write_marker(timings: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset (generator int NOT NULL, filings bigint NOT NULL,"
            " notices bigint NOT NULL, sheets bigint NOT NULL, seed int NOT NULL,"
            " generated_at timestamptz NOT NULL DEFAULT now(), timings jsonb NOT NULL)"
        )
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute(
            "INSERT INTO bench_dataset (generator, filings, notices, sheets, seed, timings)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [*wanted_marker(), json.dumps(timings)],
        )


def inbox_read() -> int:
    """The generated year's inbox notices read (by the notices app's own service), as its users
    would have: each page's header counts the user's unread notices, and a year of them left
    unread (hundreds of thousands for a centre's reviewer) would be timed with every page."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from notices.services import notices_mark_all_read

    read = sum(notices_mark_all_read(user=user) for user in get_user_model().objects.order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) notices_notice")
    return read


def ensure_data() -> dict:
    """Prepare, set Django up, generate when needed; the generation's record."""
    started = time.perf_counter()
    reused = prepare_database()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    if not reused:
        log(f"Generating {SIZES} (seed {SEED})…")
        call_command(
            "generate_scale_data",
            filings=SIZES["filings"],
            notices=SIZES["notices"],
            sheets=SIZES["sheets"],
            seed=SEED,
        )
        timings = {"generate_s": round(time.perf_counter() - started, 1)}
        timings["inbox_read"] = inbox_read()
        timings["total_s"] = round(time.perf_counter() - started, 1)
        write_marker(timings)
        return {"reused": False, **timings}
    with connection.cursor() as cursor:
        cursor.execute("SELECT generated_at, timings FROM bench_dataset")
        generated_at, stored = cursor.fetchone()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    return {"reused": True, "generated_at": generated_at.isoformat(), **stored}


# --- measuring --------------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "runs": len(ordered)}


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def compare(runners: dict) -> dict:
    """Warm up, then run the variants interleaved (A, B, C, A, B, C…); a summary of each."""
    for _ in range(WARMUP):
        for run in runners.values():
            run()
    samples = {name: [] for name in runners}
    for _ in range(REPEATS):
        for name, run in runners.items():
            samples[name].append(timed(run)[0])
    return {name: summary(values) for name, values in samples.items()}


def bare_sql(queryset):
    """The SQL and parameters of a queryset, run through a plain cursor (no model instances)."""
    from django.db import connection

    sql, params = queryset.query.get_compiler(connection=connection).as_sql()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return sql, run


def page_runner(client, url: str):
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    return run


def lists(rows: list[dict]) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from coordination.mechanisms.insurance.selectors import filings_of_my_hospital, review_queue

    User = get_user_model()
    cases = [
        ("queue", "sh-insurance", "/insurance/queue/", review_queue, "queue_p95_ms"),
        ("my filings", "wuxi-hospital", "/insurance/filings/", filings_of_my_hospital, "my_filings_p95_ms"),
    ]
    for label, username, url, selector, target in cases:
        user = User.objects.select_related("membership__organisation").get(username=username)
        client = Client()
        client.force_login(user)
        queryset = selector(user)
        sql, run_sql = bare_sql(queryset[:PAGE])
        stats = compare(
            {
                "page": page_runner(client, url),
                "orm": lambda q=queryset: list(q[:PAGE]),
                "sql": run_sql,
                "orm count": queryset.count,  # what the page's paginator adds
            }
        )
        page_ids = [f.pk for f in queryset[:PAGE]]
        bare_ids = [row[0] for row in run_sql()]
        row = {
            "list": label,
            "user": username,
            "url": url,
            "rows": len(page_ids),
            "total": queryset.count(),
            "same_result": page_ids == bare_ids,
            **stats,
            "page_over_sql": round(stats["page"]["p95_ms"] / stats["sql"]["p95_ms"], 1),
            "orm_over_sql": round(stats["orm"]["p95_ms"] / stats["sql"]["p95_ms"], 1),
            "target_p95_ms": TARGETS[target],
            "target_met": stats["page"]["p95_ms"] <= TARGETS[target],
            "sql_text": sql,
            "plan": explain(sql, queryset[:PAGE]),
        }
        rows.append(row)
        log(format_list(row))


def explain(sql: str, queryset) -> str:
    from django.db import connection

    _sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def format_list(row: dict) -> str:
    cells = " ".join(
        f"{row[k]['median_ms']:>7.1f} /{row[k]['p95_ms']:>7.1f}" for k in ("page", "orm", "sql", "orm count")
    )
    met = "yes" if row["target_met"] else "NO"
    return (
        f"{row['list']:<11} {row['user']:<14} {cells} {row['page_over_sql']:>7.1f} {row['orm_over_sql']:>6.1f}"
        f" {row['target_p95_ms']:>6} {met:>4} {row['total']:>9,}"
    )


LIST_HEADER = (
    f"{'list':<11} {'user':<14} {'page':>16} {'orm (50 rows)':>16} {'bare sql':>16} {'orm count':>16}"
    f" {'page/sql':>7} {'orm/sql':>6} {'target':>6} {'met':>4} {'rows':>9}\n"
    f"{'':<26} {'median /    p95':>16} {'median /    p95':>16} {'median /    p95':>16} {'median /    p95':>16}"
)


def ingestion_items(rng: random.Random, batch: int) -> list[dict]:
    from coordination.pii import idcard

    items = []
    today = date.today()
    for n in range(INGEST_SIZE):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(70 * 365))
        # Address code 3101 99: no generated filing has it, so no item is a duplicate.
        number = idcard.with_check_character(f"310199{born:%Y%m%d}{rng.randrange(1000):03d}")
        items.append(
            {
                "hospital_reference": f"{INGEST_REFERENCE_PREFIX}{batch:04d}-{n:04d}-{rng.randrange(10**9)}",
                "patient_name": "测试" + rng.choice("伟芳娜敏静丽强磊军洋"),
                "id_number": number,
                "sex": idcard.sex_of(number),
                "birth_date": born.isoformat(),
                "insurance_type": "employee",
                "insuring_city": "310000",
                "filing_type": rng.choice(["emergency", "referral", "long_term_residence", "temporary_work"]),
                "diagnosis": rng.choice(["U07.1", "J18.9", "I63.9", "C34.9"]),
                "admission_date": (today - timedelta(days=1)).isoformat(),
                "phone": f"139{rng.randrange(10**8):08d}",
            }
        )
    return items


class IngestionUndo:
    """Puts the data set back as generated after the committed ingestion batches: deletes the
    rows they wrote for their filings (audit entries with plain SQL: the ORM refuses to delete
    them, rightly, everywhere else), restores the counters they advanced, and vacuums the
    tables, so the lists measured next do not wade through the deleted rows' index entries."""

    TABLES = (
        "insurance_insurancefiling",
        "coordination_participant",
        "insurance_insurancefilinggroupobjectpermission",
        "coordination_auditentry",
        "coordination_outboxevent",
        "notices_notice",
        "notices_mailbox",
        "coordination_referencesequence",
    )

    def __init__(self):
        from coordination.mechanisms.insurance.models import InsuranceFiling
        from coordination.models import ReferenceSequence
        from notices.models import Mailbox

        self.mailboxes = dict(Mailbox.objects.values_list("user_id", "last_seq"))
        self.sequences = dict(ReferenceSequence.objects.values_list("pk", "last"))
        # What an interrupted run left behind goes too (its counters stay advanced: gaps only).
        self.filing_ids: list[int] = list(
            InsuranceFiling.objects.filter(hospital_reference__startswith=INGEST_REFERENCE_PREFIX).values_list(
                "pk", flat=True
            )
        )

    def undo(self) -> dict:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection, transaction

        from coordination.mechanisms.insurance.models import InsuranceFiling
        from coordination.models import ReferenceSequence
        from notices.models import Mailbox

        ids = self.filing_ids
        content_type = ContentType.objects.get_for_model(InsuranceFiling).pk
        deleted = {}
        statements = [
            ("notices", "DELETE FROM notices_notice WHERE content_type_id = %s AND object_id = ANY(%s)"),
            (
                "outbox events",
                "DELETE FROM coordination_outboxevent WHERE content_type_id = %s AND object_id = ANY(%s)",
            ),
            ("audit entries", "DELETE FROM coordination_auditentry WHERE content_type_id = %s AND object_id = ANY(%s)"),
            ("participants", "DELETE FROM coordination_participant WHERE content_type_id = %s AND object_id = ANY(%s)"),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for label, statement in statements:
                cursor.execute(statement, [content_type, ids])
                deleted[label] = cursor.rowcount
            cursor.execute(
                "DELETE FROM insurance_insurancefilinggroupobjectpermission WHERE content_object_id = ANY(%s)", [ids]
            )
            deleted["permission rows"] = cursor.rowcount
            cursor.execute("DELETE FROM insurance_insurancefiling WHERE id = ANY(%s)", [ids])
            deleted["filings"] = cursor.rowcount
            mailboxes = list(Mailbox.objects.select_for_update().order_by("user_id"))
            for mailbox in mailboxes:
                mailbox.last_seq = self.mailboxes.get(mailbox.user_id, 0)
            Mailbox.objects.bulk_update(mailboxes, ["last_seq"], batch_size=1000)
            Mailbox.objects.exclude(user_id__in=list(self.mailboxes)).delete()
            sequences = list(ReferenceSequence.objects.select_for_update())
            for sequence in sequences:
                sequence.last = self.sequences.get(sequence.pk, 0)
            ReferenceSequence.objects.bulk_update(sequences, ["last"])
            ReferenceSequence.objects.exclude(pk__in=list(self.sequences)).delete()
        with connection.cursor() as cursor:
            # INDEX_CLEANUP ON: below 2% of pages PostgreSQL would otherwise leave the dead
            # index entries in place (the queue's index would keep every deleted filing).
            cursor.execute(f"VACUUM (ANALYZE, INDEX_CLEANUP ON) {', '.join(self.TABLES)}")
        return deleted


def ingestion() -> dict:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    user = get_user_model().objects.select_related("membership__organisation").get(username="wuxi-hospital")
    client = APIClient()
    client.force_authenticate(user)
    rng = random.Random(f"{SEED}:ingest")
    restore = IngestionUndo()

    def post(items):
        response = client.post("/api/v1/insurance-filings/batch/", {"filings": items}, format="json")
        if response.status_code != 200:
            raise RuntimeError(f"batch API: HTTP {response.status_code}: {response.content[:300]!r}")
        body = response.json()
        restore.filing_ids += [row["id"] for row in body["results"] if row["result"] == "created"]
        return body

    per_batch, created, results = [], 0, {}
    try:
        # One small batch first (warm-up: imports, caches), not counted.
        post(ingestion_items(rng, 9999)[:5])
        for batch in range(INGEST_BATCHES):
            items = ingestion_items(rng, batch)
            elapsed, body = timed(lambda items=items: post(items))
            for kind in ("created", "duplicate", "invalid"):
                results[kind] = results.get(kind, 0) + body[kind]
            created += body["created"]
            per_batch.append(elapsed)
            log(f"  batch {batch + 1}/{INGEST_BATCHES}: {body['created']} created in {elapsed:,.0f} ms")
    finally:
        deleted = restore.undo()
        log("  undone: " + ", ".join(f"{count:,} {label}" for label, count in deleted.items()))
    total_s = sum(per_batch) / 1000
    rate = created / total_s if total_s else 0.0
    return {
        "batches": INGEST_BATCHES,
        "batch_size": INGEST_SIZE,
        "results": results,
        "batch_ms": summary(per_batch),
        "filings_per_s": round(rate, 1),
        "ms_per_filing": round(1000 / rate, 2) if rate else None,
        "target_per_s": TARGETS["ingest_per_s"],
        "target_met": rate >= TARGETS["ingest_per_s"],
        "undone": deleted,
    }


def main() -> None:
    generation = ensure_data()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM insurance_insurancefiling")
        filings = cursor.fetchone()[0]
    log(f"\n{filings:,} filings · {WARMUP} warm-up + {REPEATS} interleaved runs each · times in ms")
    log(f"(a) batch ingestion: {INGEST_BATCHES} × {INGEST_SIZE} filings via POST /api/v1/insurance-filings/batch/")
    ingest = ingestion()
    log(f"  → {ingest['filings_per_s']:,.0f} filings/s ({ingest['ms_per_filing']} ms each)")
    log("(b), (c) lists")
    log(LIST_HEADER)
    rows: list[dict] = []
    lists(rows)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    result = {
        "sizes": SIZES,
        "filings_in_db": filings,
        "seed": SEED,
        "page_size": PAGE,
        "warmup": WARMUP,
        "repeats": REPEATS,
        "database": _db.database_name(DATABASE_URL),
        "server": server,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "generation": generation,
        "ingestion": ingest,
        "lists": rows,
    }
    (OUT_DIR / "insurance.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    log("\nSummary")
    log(
        f"ingestion  {ingest['filings_per_s']:>9,.0f} filings/s  (target ≥ {TARGETS['ingest_per_s']:,}/s: "
        f"{'met' if ingest['target_met'] else 'NOT met'})"
    )
    log(LIST_HEADER)
    for row in rows:
        log(format_list(row))
    log(f"\nJSON: {OUT_DIR / 'insurance.json'}")


if __name__ == "__main__":
    main()
