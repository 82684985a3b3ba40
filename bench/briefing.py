#!/usr/bin/env python
"""The leaders' dashboard at scale: /briefing/ and /api/v1/briefing/ with 1M insurance filings,
10k measure notices and 100k assignment sheets, against a bare page rendering the same numbers
from values computed beforehand (the difference is what computing the panels costs).

    .venv/bin/python bench/briefing.py           # or: make bench

It reads the database of bench/insurance.py (yrd_bench_ins; created and generated there with
`manage.py generate_scale_data` when missing or of other sizes: same BENCH_* sizes).

For each leader (yrd-leader: all four regions; sh-leader: Shanghai's), interleaved after a
warm-up (warm: caches and PostgreSQL buffers filled):

- `page`: GET /briefing/ through the test client (the whole stack);
- `json`: GET /api/v1/briefing/;
- `bare page`: the same template rendered with the panels computed once before the run;
- `bare json`: the same JSON document serialised from those values;
- and each panel's `compute(scope)` alone, to show where the time goes.

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

    from coordination.briefing.core import region_labels
    from coordination.briefing.service import briefing_compute, briefing_scope_for
    from coordination.briefing.views import headline

    scope = briefing_scope_for(user)
    labels = region_labels()
    computed = briefing_compute(scope)
    context = {
        "panels": computed,
        "headline": headline(computed),
        "scope_regions": [labels[code] for code in scope.region_codes],
        "generated_at": scope.now,
    }
    document = {
        "generated_at": scope.now.isoformat(),
        "regions": list(scope.region_codes),
        "panels": [{k: v for k, v in panel.items() if k != "template"} for panel in computed],
    }
    factory = RequestFactory()

    def page():
        request = factory.get("/briefing/")
        request.user = user
        return render(request, "briefing/dashboard.html", context)

    def json_document():
        return HttpResponse(json.dumps(document, ensure_ascii=False, default=str), content_type="application/json")

    return page, json_document, computed


def panel_runners(user) -> dict:
    from coordination.briefing import panels
    from coordination.briefing.service import briefing_scope_for

    scope = briefing_scope_for(user)
    return {f"panel {p.key}": (lambda p=p: p.compute(scope)) for p in panels()}


def measure() -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from coordination.briefing.views import headline

    rows = []
    for username in LEADERS:
        user = get_user_model().objects.select_related("membership__organisation").get(username=username)
        client = Client()
        client.force_login(user)
        bare_page, bare_json, computed = bare_runners(user)
        runners = {
            "page": scale.page_runner(client, "/briefing/"),
            "json": scale.page_runner(client, "/api/v1/briefing/"),
            "bare page": bare_page,
            "bare json": bare_json,
        }
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
            "panels": panels,
            "headline": {item["key"]: item["value"] for item in headline(computed)},
        }
        rows.append(row)
        scale.log(format_row(row))
        for name, panel in panels.items():
            scale.log(f"    {name:<28} {panel['median_ms']:>8.1f} /{panel['p95_ms']:>8.1f}")
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

    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
        for label, table in (
            ("filings", "coordination_insurancefiling"),
            ("notices", "coordination_measurenotice"),
            ("sheets", "coordination_assignmentsheet"),
            ("participants", "coordination_participant"),
            ("audit_entries", "coordination_auditentry"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
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
        "database": scale._maintenance_url(scale.DATABASE_URL)[0],
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
    scale.log(f"\nJSON: {scale.OUT_DIR / 'briefing.json'}")


if __name__ == "__main__":
    main()
