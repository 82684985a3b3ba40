#!/usr/bin/env python
"""Case lists at scale: the participant `Exists` (`visible_cases`) against guardian's direct
permission table (`visible_cases_by_guardian`), side by side, as ratios.

    .venv/bin/python bench/access_lists.py            # or: make bench [BENCH_CASES=100000]

It runs on a dedicated PostgreSQL database (BENCH_DATABASE_URL, default yrd_bench on the local
server), which it (re)creates when its data set is missing or of another size: migrations, the
demo organisations and users, then BENCH_CASES assignment sheets with their participants and
guardian rows written by set-based SQL. A rerun with the same size reuses the data.

Results: a table on stdout, JSON in var/bench/access_lists.json, EXPLAIN (ANALYZE, BUFFERS)
plans in var/bench/access_lists_plans.txt. Nothing here asserts: it measures.

Environment: BENCH_CASES (1_000_000), BENCH_REPEATS (15), BENCH_WARMUP (2),
BENCH_DATABASE_URL, BENCH_TRY_INDEXES=1 (also measure with candidate indexes, created in the
bench database for the run and dropped afterwards; see bench/README.md).
"""

import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from django.db.models import Exists, OuterRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _db  # noqa: E402 - bench/_db.py: the bench databases

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/yrd_bench"
GENERATOR_VERSION = 2  # bump when the generated data changes shape: the next run regenerates
CASES = int(os.environ.get("BENCH_CASES", "1000000").replace("_", ""))
REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
TRY_INDEXES = os.environ.get("BENCH_TRY_INDEXES", "") not in ("", "0", "false", "no")
PAGE = 50
OUT_DIR = ROOT / "var" / "bench"
LIAISON_OFFICES = ("sh-liaison", "js-liaison", "zj-liaison", "ah-liaison")
# (username, whether guardian rows exist for its organisation)
USERS = [
    ("js-liaison", True),  # takes part in about half the sheets
    ("zj-liaison", True),
    ("yrd-office", False),  # sees every case by rule: no Exists at all
    ("sh-leader", False),  # a regional leader: Exists over its region's organisations
]
# Candidate indexes tried with BENCH_TRY_INDEXES=1: (name, table, definition). Named apart from
# the model's own indexes (assignmentsheet_created…), which the run's cleanup must not drop.
CANDIDATE_INDEXES = [
    ("bench_assignmentsheet_created", "assignment_sheets_assignmentsheet", "(created_at DESC, id DESC)"),
    ("bench_assignmentsheet_state_created", "assignment_sheets_assignmentsheet", "(state, created_at DESC, id DESC)"),
]

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


log = _db.log


# --- the database ------------------------------------------------------------------------------


def prepare_database() -> bool:
    """Make sure the bench database exists; True when it already holds this data set."""

    def holds_data(conn) -> bool:
        return conn.execute("SELECT count(*) FROM assignment_sheets_assignmentsheet").fetchone()[0] == CASES

    return _db.prepare(
        DATABASE_URL,
        marker_sql="SELECT generator, cases FROM bench_dataset",
        wanted=(GENERATOR_VERSION, CASES),
        holds_data=holds_data,
        describe=f"{CASES:,} assignment sheets (generator v{GENERATOR_VERSION})",
    )


def setup_django() -> None:
    _db.setup_django(DATABASE_URL)


# --- the data set --------------------------------------------------------------------------------

LIAISON_SQL = """
CREATE TEMP TABLE bench_liaison ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY o.code) - 1)::int AS idx, o.id AS org_id, o.group_id, r.abbr,
       (SELECT m.user_id FROM coordination_membership m WHERE m.organisation_id = o.id
        ORDER BY m.id LIMIT 1) AS user_id
FROM coordination_organisation o JOIN coordination_region r ON r.code = o.region_id
WHERE o.kind = 'liaison_office' AND o.code = ANY(%(codes)s)
"""

# One row per sheet: a deterministic pseudo-random originator/responder pair among the twelve
# ordered pairs of distinct liaison offices (each office takes part in half), a state, and a
# creation time spread over one year (increasing with the id, a few minutes of jitter).
PLAN_SQL = """
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
WITH g AS (
    SELECT i, ('x' || substr(md5('yrd-bench:' || i), 1, 12))::bit(48)::bigint AS h
    FROM generate_series(1, %(n)s::bigint) AS i
), s AS (
    SELECT i, (h %% 12)::int AS pair, ((h / 12) %% 100)::int AS bucket,
           timestamptz '2025-03-01 08:00:00+08' + (i - 1) * (interval '365 days' / %(n)s::bigint)
               + ((h / 1200) %% 600) * interval '1 second' AS created_at
    FROM g
)
SELECT i AS id, created_at, pair / 3 AS orig_idx, (pair / 3 + 1 + pair %% 3) %% 4 AS resp_idx,
       CASE WHEN bucket < 6 THEN 'submitted' WHEN bucket < 11 THEN 'accepted'
            WHEN bucket < 13 THEN 'returned' WHEN bucket < 21 THEN 'replied'
            WHEN bucket < 92 THEN 'closed' WHEN bucket < 96 THEN 'refused' ELSE 'withdrawn' END AS state,
       extract(year FROM created_at AT TIME ZONE 'Asia/Shanghai')::int AS year
FROM s
"""

SHEETS_SQL = """
INSERT INTO assignment_sheets_assignmentsheet (
    id, reference, title, created_at, updated_at, time_limit, due_at, escalate_at, reminded_at,
    escalated_at, version, state, result, replied_at, return_reason, closed_at, matter, reply_due,
    created_by_id, mechanism_id, originator_id)
SELECT p.id,
       o.abbr || '-ASG-' || p.year || '-'
           || lpad(p.seq::text, greatest(6, length(p.seq::text)), '0'),
       '省际协调事项 ' || o.abbr || '→' || r.abbr || ' #' || p.id,
       p.created_at,
       p.created_at + CASE p.state WHEN 'submitted' THEN interval '0' WHEN 'closed' THEN interval '2 days'
                                   ELSE interval '1 day' END,
       NULL,
       CASE WHEN p.state IN ('submitted', 'accepted') THEN p.created_at + interval '2 hours' END,
       CASE WHEN p.state IN ('submitted', 'accepted') THEN p.created_at + interval '3 hours' END,
       NULL, NULL,
       CASE p.state WHEN 'submitted' THEN 1 WHEN 'replied' THEN 3 WHEN 'closed' THEN 4 ELSE 2 END,
       p.state,
       CASE WHEN p.state IN ('replied', 'closed') THEN '已协调办结，相关人员与车辆已按约定放行。' ELSE '' END,
       CASE WHEN p.state IN ('replied', 'closed') THEN p.created_at + interval '1 day' END,
       CASE WHEN p.state = 'returned' THEN '请补充车辆号牌、驾驶员信息及运输时段。' ELSE '' END,
       CASE WHEN p.state = 'closed' THEN p.created_at + interval '2 days'
            WHEN p.state IN ('refused', 'withdrawn') THEN p.created_at + interval '1 day' END,
       '请' || r.abbr || '方面协助核查第 ' || p.id || ' 号事项所涉跨省通勤人员的健康码状态及14天行程，'
           || '并对持' || o.abbr || '通行证的运输车辆予以放行，以便两地互认。',
       NULL,
       o.user_id, 'M3', o.org_id
FROM (SELECT *, row_number() OVER (PARTITION BY orig_idx, year ORDER BY id) AS seq FROM bench_plan) p
JOIN bench_liaison o ON o.idx = p.orig_idx JOIN bench_liaison r ON r.idx = p.resp_idx
ORDER BY p.id
"""

PARTICIPANTS_SQL = """
INSERT INTO coordination_participant (object_id, role, joined_at, content_type_id, organisation_id)
SELECT x.object_id, x.role, x.joined_at, %(ct)s, x.organisation_id
FROM (
    SELECT p.id AS object_id, 'originator' AS role, p.created_at AS joined_at, o.org_id AS organisation_id, 0 AS k
    FROM bench_plan p JOIN bench_liaison o ON o.idx = p.orig_idx
    UNION ALL
    SELECT p.id, 'responder', p.created_at, r.org_id, 1
    FROM bench_plan p JOIN bench_liaison r ON r.idx = p.resp_idx
) x
ORDER BY x.object_id, x.k
"""

# What participant_add grants: originator view + originate, responder view + respond.
GUARDIAN_SQL = """
INSERT INTO assignment_sheets_assignmentsheetgroupobjectpermission (content_object_id, group_id, permission_id)
SELECT x.content_object_id, x.group_id, x.permission_id
FROM (
    SELECT p.id AS content_object_id, o.group_id, %(view)s AS permission_id, 0 AS k
    FROM bench_plan p JOIN bench_liaison o ON o.idx = p.orig_idx
    UNION ALL
    SELECT p.id, o.group_id, %(originate)s, 1 FROM bench_plan p JOIN bench_liaison o ON o.idx = p.orig_idx
    UNION ALL
    SELECT p.id, r.group_id, %(view)s, 2 FROM bench_plan p JOIN bench_liaison r ON r.idx = p.resp_idx
    UNION ALL
    SELECT p.id, r.group_id, %(respond)s, 3 FROM bench_plan p JOIN bench_liaison r ON r.idx = p.resp_idx
) x
ORDER BY x.content_object_id, x.k
"""

REFERENCE_SEQUENCE_SQL = """
INSERT INTO coordination_referencesequence (region_abbr, code, year, last)
SELECT o.abbr, 'ASG', p.year, count(*) FROM bench_plan p JOIN bench_liaison o ON o.idx = p.orig_idx
GROUP BY o.abbr, p.year
ON CONFLICT (region_abbr, code, year) DO UPDATE SET last = EXCLUDED.last
"""


def generate(timings: dict) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from coordination.demo import seed_organisations, seed_users
    from coordination.mechanisms.assignment_sheets.models import AssignmentSheet

    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    with transaction.atomic():
        seed_users(seed_organisations())
    timings["migrate_and_seed_s"] = round(time.perf_counter() - started, 2)

    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(AssignmentSheet)
    perms = dict(
        Permission.objects.filter(content_type=ct).values_list("codename", "id"),
    )
    params = {
        "n": CASES,
        "ct": ct.pk,
        "codes": list(LIAISON_OFFICES),
        "view": perms["view_assignmentsheet"],
        "originate": perms["originate_assignmentsheet"],
        "respond": perms["respond_assignmentsheet"],
    }
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # The rows are consistent by construction: skip the per-row foreign-key triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(LIAISON_SQL, params)
        cursor.execute("SELECT count(*), count(user_id) FROM bench_liaison")
        if cursor.fetchone() != (4, 4):
            raise RuntimeError("expected the four liaison offices of the demo data, each with a user")
        for label, statement in (
            ("plan", PLAN_SQL),
            ("sheets", SHEETS_SQL),
            ("participants", PARTICIPANTS_SQL),
            ("guardian", GUARDIAN_SQL),
            ("references", REFERENCE_SEQUENCE_SQL),
        ):
            step = time.perf_counter()
            cursor.execute(statement, params)
            log(f"  {label:<13} {cursor.rowcount:>10,} rows  {time.perf_counter() - step:6.1f} s")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('assignment_sheets_assignmentsheet', 'id'), %s)", [max(CASES, 1)]
        )
    timings["insert_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "assignment_sheets_assignmentsheet",
            "coordination_participant",
            "assignment_sheets_assignmentsheetgroupobjectpermission",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
        cursor.execute(
            "CREATE TABLE bench_dataset (generator int NOT NULL, cases bigint NOT NULL,"
            " generated_at timestamptz NOT NULL DEFAULT now(), timings jsonb NOT NULL)"
        )
    timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_dataset (generator, cases, timings) VALUES (%s, %s, %s)",
            [GENERATOR_VERSION, CASES, json.dumps(timings)],
        )


# --- measuring -----------------------------------------------------------------------------------


def visible_cases_by_guardian_permission_id(user, model):
    """Bench-only rival: `visible_cases_by_guardian` with the view permission's id looked up
    once (as an application would cache it) instead of joined through auth_permission.codename."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.utils import get_group_obj_perms_model

    from coordination.workflow.access import codename, membership_of

    membership = membership_of(user)
    if membership is None:
        return model.objects.none()
    key = (model, "view")
    if key not in PERMISSION_IDS:
        PERMISSION_IDS[key] = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model), codename=codename(model, "view")
        ).pk
    perms = get_group_obj_perms_model(model).objects.filter(
        group_id=membership.organisation.group_id, content_object_id=OuterRef("pk"), permission_id=PERMISSION_IDS[key]
    )
    return model.objects.filter(Exists(perms))


PERMISSION_IDS: dict = {}
VARIANTS = ("participants", "guardian", "guardian-id")


def queries(model):
    from coordination.workflow.access import visible_cases, visible_cases_by_guardian

    order = ("-created_at", "-id")
    return {
        "first page": lambda qs_of, user: list(qs_of(user, model).order_by(*order)[:PAGE]),
        "count": lambda qs_of, user: qs_of(user, model).count(),
        "submitted page": lambda qs_of, user: list(
            qs_of(user, model).filter(state="submitted").order_by(*order)[:PAGE]
        ),
    }, {
        "participants": visible_cases,
        "guardian": visible_cases_by_guardian,
        "guardian-id": visible_cases_by_guardian_permission_id,
    }


def ms(fn) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "runs": len(ordered)}


def explain(fn) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the one query `fn` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{sql}\n{plan}"


def plan_summary(plan: str) -> str:
    """The plan's node types, outermost first, and its execution time."""
    lines = plan.splitlines()[1:]
    nodes = []
    for line in lines:
        text = line.strip().removeprefix("->").strip()
        if not text or ":" in text.split("(")[0]:
            continue
        node = text.split("  (")[0]
        nodes.append(node.replace("assignment_sheets_assignmentsheetgroupobjectpermission", "guardian_tbl"))
    execution = next((line.strip() for line in lines if line.startswith("Execution Time")), "")
    return " > ".join(nodes[:8]) + (" …" if len(nodes) > 8 else "") + f" [{execution}]"


def measure(label: str, plans: list[str]) -> list[dict]:
    from django.contrib.auth import get_user_model

    from coordination.mechanisms.assignment_sheets.models import AssignmentSheet

    ops, variants = queries(AssignmentSheet)
    User = get_user_model()
    rows = []
    for username, has_guardian in USERS:
        user = User.objects.select_related("membership__organisation").get(username=username)
        names = list(VARIANTS) if has_guardian else ["participants"]
        for op_name, op in ops.items():
            runners = {name: (lambda v=variants[name], u=user, o=op: o(v, u)) for name in names}
            for _ in range(WARMUP):
                for run in runners.values():
                    run()
            samples = {name: [] for name in names}
            results = {}
            for _ in range(REPEATS):
                for name, run in runners.items():  # interleaved: A, B, C, A, B, C…
                    elapsed, results[name] = ms(run)
                    samples[name].append(elapsed)
            row = {"set": label, "user": username, "query": op_name}
            for name in names:
                row[name] = summary(samples[name])
                plan = explain(runners[name])
                row[name]["plan"] = plan_summary(plan)
                plans.append(f"===== [{label}] {username} · {op_name} · {name}\n{plan}\n")
            first = results["participants"]
            comparable = (lambda r: [x.pk for x in r]) if isinstance(first, list) else (lambda r: r)
            if has_guardian:
                for name in names[1:]:
                    row[f"ratio_{name}_over_participants"] = round(
                        row[name]["median_ms"] / row["participants"]["median_ms"], 2
                    )
                row["same_result"] = all(comparable(results[name]) == comparable(first) for name in names[1:])
            row["rows"] = first if isinstance(first, int) else len(first)
            rows.append(row)
            log(format_row(row))
    return rows


def format_row(row: dict) -> str:
    cells = []
    for name in VARIANTS:
        stats = row.get(name)
        cells.append(f"{stats['median_ms']:>8.1f} /{stats['p95_ms']:>7.1f}" if stats else f"{'—':>17}")
    ratios = [row.get(f"ratio_{name}_over_participants") for name in VARIANTS[1:]]
    ratio_cells = [f"{r:>6.2f}" if r is not None else f"{'—':>6}" for r in ratios]
    same = ("yes" if row["same_result"] else "NO") if "same_result" in row else "—"
    return (
        f"{row['set']:<10} {row['user']:<11} {row['query']:<15} {' '.join(cells)} {' '.join(ratio_cells)} "
        f"{same:>5} {row['rows']:>9,}"
    )


HEADER = (
    f"{'indexes':<10} {'user':<11} {'query':<15} {'participants':>17} {'guardian':>17} {'guardian-id':>17} "
    f"{'g/p':>6} {'gid/p':>6} {'same':>5} {'rows':>9}\n"
    f"{'':<38} {'median /    p95':>17} {'median /    p95':>17} {'median /    p95':>17}"
)


def try_indexes(plans: list[str]) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, table, definition in CANDIDATE_INDEXES:
            log(f"Creating candidate index {name} ON {table} {definition}")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")
        for table in {table for _name, table, _definition in CANDIDATE_INDEXES}:
            cursor.execute(f"ANALYZE {table}")
    try:
        log(HEADER)
        return measure("candidate", plans)
    finally:
        with connection.cursor() as cursor:
            for name, _table, _definition in CANDIDATE_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


def main() -> None:
    started = time.perf_counter()
    reused = prepare_database()
    setup_django()
    from django.db import connection

    timings = {}
    if reused:
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)  # picks up new indexes, if any
        with connection.cursor() as cursor:
            cursor.execute("SELECT generated_at, timings FROM bench_dataset")
            generated_at, stored = cursor.fetchone()
        stored = json.loads(stored) if isinstance(stored, str) else stored  # Django reads jsonb as text
        generation = {"reused": True, "generated_at": generated_at.isoformat(), **stored}
    else:
        log(f"Generating {CASES:,} assignment sheets…")
        generate(timings)
        generation = {"reused": False, **timings, "total_s": round(time.perf_counter() - started, 2)}
        log(f"Generated in {generation['total_s']} s: {timings}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(ARRAY['assignment_sheets_assignmentsheet'::regclass,"
            " 'coordination_participant'::regclass,"
            " 'assignment_sheets_assignmentsheetgroupobjectpermission'::regclass]) ORDER BY 1"
        )
        indexes = [row[1] for row in cursor.fetchall()]

    plans: list[str] = []
    log(f"\n{CASES:,} sheets · {WARMUP} warm-up + {REPEATS} interleaved runs each · times in ms")
    log(HEADER)
    rows = measure("baseline", plans)
    if TRY_INDEXES:
        rows += try_indexes(plans)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "access_lists_plans.txt").write_text("\n".join(plans), encoding="utf-8")
    result = {
        "cases": CASES,
        "page_size": PAGE,
        "warmup": WARMUP,
        "repeats": REPEATS,
        "database": _db.database_name(DATABASE_URL),
        "server": server,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "generation": generation,
        "indexes": indexes,
        "candidate_indexes": [f"{name} ON {table} {d}" for name, table, d in CANDIDATE_INDEXES] if TRY_INDEXES else [],
        "results": rows,
    }
    (OUT_DIR / "access_lists.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")

    log(
        "\nSummary, ms (g/p, gid/p = guardian, guardian-by-permission-id median over participants median;"
        " > 1 means the participant Exists is faster)"
    )
    log(HEADER)
    for row in rows:
        log(format_row(row))
    log(f"\nJSON: {OUT_DIR / 'access_lists.json'}\nPlans: {OUT_DIR / 'access_lists_plans.txt'}")


if __name__ == "__main__":
    main()
