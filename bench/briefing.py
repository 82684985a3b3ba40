#!/usr/bin/env python
"""The leaders' dashboard at scale: /briefing/ and /api/v1/briefing/ with 1M insurance filings,
10k measure notices and 100k assignment sheets, against a bare page rendering the same numbers
from values computed beforehand (the difference is what serving the panels costs).

    .venv/bin/python bench/briefing.py           # or: make bench

It reads the database of bench/insurance.py (yrd_bench_ins; created and generated there with
`manage.py generate_scale_data` when missing or of other sizes: same BENCH_* sizes). It writes
nothing there but the leaders' briefing snapshots.

The page and its JSON are served from the scope's snapshot (coordination/briefing/snapshots.py),
refreshed by a worker: here a child process stands in for Celery's, running the refreshes the
reads queue (a snapshot older than BRIEFING_MAX_AGE_SECONDS, or one an outside change made
stale), on the same machine as in production's smallest set-up.

For each leader (yrd-leader: all four regions; sh-leader: Shanghai's), interleaved after a
warm-up (warm: caches and PostgreSQL buffers filled):

- `refresh`: what the worker does for the scope: every panel computed and the snapshot stored;
- `page`: GET /briefing/ through the test client (the whole stack, from the snapshot);
- `json`: GET /api/v1/briefing/;
- `bare page`: the same template rendered with the panels computed once before the run;
- `bare json`: the same JSON document serialised from those values;
- and each panel's `compute(scope)` alone, to show where the refresh's time goes.

Results: a table on stdout and var/bench/briefing.json. Nothing here asserts: it measures.
Environment: BENCH_REPEATS (30), BENCH_WARMUP (3), and bench/insurance.py's sizes.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import insurance as scale  # noqa: E402 - bench/insurance.py: the shared database and timing helpers

TARGET_P95_MS = 150
LEADERS = ("yrd-leader", "sh-leader")


def bare_runners(user):
    """A page and a JSON document from the panels computed once, before the timed runs."""
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.test import RequestFactory
    from django.utils import timezone

    from coordination.briefing.service import briefing_compute, briefing_scope_for
    from coordination.briefing.snapshots import BriefingFigures
    from coordination.briefing.views import briefing_document, dashboard_context

    scope = briefing_scope_for(user)
    figures = BriefingFigures(panels=briefing_compute(scope), computed_at=timezone.now())
    context = dashboard_context(scope, figures)
    document = briefing_document(scope, figures)
    factory = RequestFactory()

    def page():
        request = factory.get("/briefing/")
        request.user = user
        return render(request, "briefing/dashboard.html", context)

    def json_document():
        return HttpResponse(json.dumps(document, ensure_ascii=False, default=str), content_type="application/json")

    return page, json_document, figures.panels


class RefreshWorker:
    """Stands in for the Celery worker: a child process running the refreshes that reads queue
    (`refresh_briefing_snapshot.apply_async` is pointed here), each when its countdown is up."""

    def __init__(self):
        import multiprocessing

        from coordination.briefing import tasks

        # Spawned, not forked: a forked child would share the parent's pooled connections.
        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue()
        self.done = context.Value("i", 0)
        self.queued = 0
        self.process = context.Process(target=self._run, args=(self.queue, self.done), daemon=True)
        self.process.start()
        tasks.refresh_briefing_snapshot.apply_async = self.apply_async

    @staticmethod
    def _run(queue, done) -> None:
        scale.setup_django()
        from coordination.briefing.snapshots import briefing_snapshot_refresh

        while (item := queue.get()) is not None:
            scope_key, language, due = item
            time.sleep(max(0.0, due - time.time()))
            briefing_snapshot_refresh(scope_key=scope_key, language=language)
            with done.get_lock():
                done.value += 1

    def apply_async(self, args, countdown=0, **kwargs) -> None:
        self.queued += 1
        self.queue.put((*args, time.time() + (countdown or 0)))

    def stop(self) -> dict:
        self.queue.put(None)
        self.process.join(timeout=60)
        return {"queued": self.queued, "done": self.done.value}


def panel_runners(user) -> dict:
    from coordination.briefing import panels
    from coordination.briefing.service import briefing_scope_for

    scope = briefing_scope_for(user)
    return {f"panel {p.key}": (lambda p=p: p.compute(scope)) for p in panels()}


def refresh_runner(user):
    """The worker's refresh of the leader's snapshot, forced (it would skip a current one)."""
    from django.utils import translation

    from coordination.briefing.service import briefing_scope_for
    from coordination.briefing.snapshots import briefing_snapshot_refresh, scope_key_of

    scope_key = scope_key_of(briefing_scope_for(user))
    language = translation.get_supported_language_variant("zh-hans")
    return lambda: briefing_snapshot_refresh(scope_key=scope_key, language=language, force=True)


def measure() -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from coordination.briefing.views import headline

    rows = []
    worker = RefreshWorker()
    try:
        for username in LEADERS:
            user = get_user_model().objects.select_related("membership__organisation").get(username=username)
            client = Client()
            client.force_login(user)
            refresh = scale.compare({"refresh": refresh_runner(user)})["refresh"]  # leaves a current snapshot
            bare_page, bare_json, computed = bare_runners(user)
            runners = {
                "page": scale.page_runner(client, "/briefing/"),
                "json": scale.page_runner(client, "/api/v1/briefing/"),
                "bare page": bare_page,
                "bare json": bare_json,
            }
            queued_before = worker.queued
            stats = scale.compare(runners)
            panels = scale.compare(panel_runners(user))
            row = {
                "user": username,
                **stats,
                "page_over_bare": round(stats["page"]["p95_ms"] / stats["bare page"]["p95_ms"], 1),
                "json_over_bare": round(stats["json"]["p95_ms"] / stats["bare json"]["p95_ms"], 1),
                "target_p95_ms": TARGET_P95_MS,
                "page_target_met": stats["page"]["p95_ms"] <= TARGET_P95_MS,
                "json_target_met": stats["json"]["p95_ms"] <= TARGET_P95_MS,
                "refresh": refresh,
                "refreshes_queued_by_reads": worker.queued - queued_before,
                "panels": panels,
                "headline": {item["key"]: item["value"] for item in headline(computed)},
            }
            rows.append(row)
            scale.log(format_row(row))
            scale.log(
                f"    {'refresh (all panels + store)':<28} {refresh['median_ms']:>8.1f} /{refresh['p95_ms']:>8.1f}"
                f"    (refreshes queued by the timed reads: {row['refreshes_queued_by_reads']})"
            )
            for name, panel in panels.items():
                scale.log(f"    {name:<28} {panel['median_ms']:>8.1f} /{panel['p95_ms']:>8.1f}")
    finally:
        worker.stop()
    return rows


HEADER = (
    f"{'leader':<11} {'page':>17} {'json':>17} {'bare page':>17} {'bare json':>17}"
    f" {'page/bare':>9} {'json/bare':>9} {'≤150':>9}\n"
    f"{'':<11} {'median /     p95':>17} {'median /     p95':>17} {'median /     p95':>17} {'median /     p95':>17}"
)


def format_row(row: dict) -> str:
    cells = " ".join(
        f"{row[k]['median_ms']:>8.1f} /{row[k]['p95_ms']:>7.1f}" for k in ("page", "json", "bare page", "bare json")
    )
    met = f"{'yes' if row['page_target_met'] else 'NO'}/{'yes' if row['json_target_met'] else 'NO'}"
    return f"{row['user']:<11} {cells} {row['page_over_bare']:>9.1f} {row['json_over_bare']:>9.1f} {met:>9}"


def main() -> None:
    generation = scale.ensure_data()
    from django.db import connection

    from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
    from coordination.mechanisms.insurance.models import InsuranceFiling
    from coordination.mechanisms.measure_notices.models import MeasureNotice
    from coordination.models import AuditEntry, Participant, Receipt
    from notices.models import Notice

    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
        for label, model in (
            ("filings", InsuranceFiling),
            ("notices", MeasureNotice),
            ("sheets", AssignmentSheet),
            ("participants", Participant),
            ("receipts", Receipt),
            ("audit_entries", AuditEntry),
            ("inbox_notices", Notice),
        ):
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")  # noqa: S608 - the models' tables
            counts[label] = cursor.fetchone()[0]
    scale.log(
        f"\n{counts} · {scale.WARMUP} warm-up + {scale.REPEATS} interleaved runs each · times in ms"
        f" (target p95 ≤ {TARGET_P95_MS} ms)"
    )
    scale.log(HEADER)
    started = time.perf_counter()
    rows = measure()
    scale.OUT_DIR.mkdir(parents=True, exist_ok=True)
    result = {
        "counts": counts,
        "sizes": scale.SIZES,
        "warmup": scale.WARMUP,
        "repeats": scale.REPEATS,
        "database": scale._db.database_name(scale.DATABASE_URL),
        "server": server,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "generation": generation,
        "measure_s": round(time.perf_counter() - started, 1),
        "results": rows,
    }
    (scale.OUT_DIR / "briefing.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    scale.log("\nSummary (page/bare, json/bare: p95 over the bare p95; ≤150: page/json p95 within the target)")
    scale.log(HEADER)
    for row in rows:
        scale.log(format_row(row))
    scale.log("\nRefresh (the worker's full computation of a scope's snapshot), median / p95 ms")
    for row in rows:
        scale.log(f"{row['user']:<11} {row['refresh']['median_ms']:>8.1f} /{row['refresh']['p95_ms']:>7.1f}")
    scale.log(f"\nJSON: {scale.OUT_DIR / 'briefing.json'}")


if __name__ == "__main__":
    main()
