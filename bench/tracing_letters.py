#!/usr/bin/env python
"""A 10,000-person tracing letter (M1) imported from CSV and from XLSX.

    .venv/bin/python bench/tracing_letters.py

A database of its own (`yrd_bench_tracing_letters` on 127.0.0.1, or
BENCH_TRACING_LETTERS_DATABASE_URL), holding the demo organisations and users. Each round sends
Shanghai's liaison office's letter to Anhui with BENCH_PERSONS (10,000) persons — distinct
resident ID numbers with valid check digits, phones, addresses, Anhui's cities — once through
the service (`tracing_letter_create(file=…)`: reading the file, checking every row, encrypting
two numbers and hashing them per person, the case, its participants, audit entry and outbox
event, the persons in bulk inserts) and once through the API (`POST /api/v1/tracing-letters/`,
multipart, the DRF stack in process), for CSV (UTF-8 with BOM and GBK) and XLSX. The check of
the file alone (`import_check`) is timed too, to show where the time goes.

Target (issue M1): ≤ 10 s per 10,000-person import. Output: a table and
var/bench/tracing_letters.json. Nothing here asserts: it measures.
"""

import csv
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._db import log, prepare, setup_django  # noqa: E402

URL = os.environ.get(
    "BENCH_TRACING_LETTERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yrd_bench_tracing_letters"
)
PERSONS = int(os.environ.get("BENCH_PERSONS", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
GENERATOR_VERSION = 1
TARGET_S = 10.0
OUT_DIR = ROOT / "var" / "bench"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
CITIES = ["340100", "340200", "340300", "340400", "340500", "340600", "340700", "340800", "341000", "341100"]
RELATIONS = ["同乘", "家属", "同事", "朋友", "医护", "其他"]


def prepare_database() -> None:
    fresh = not prepare(
        URL,
        marker_sql="SELECT version FROM bench_dataset",
        wanted=(GENERATOR_VERSION,),
        holds_data=lambda conn: True,
        describe=f"tracing letters bench v{GENERATOR_VERSION}",
    )
    setup_django(URL, test_client=True)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        from coordination.demo import seed_organisations, seed_users

        seed_users(seed_organisations())
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_dataset (version integer)")
            cursor.execute("INSERT INTO bench_dataset VALUES (%s)", [GENERATOR_VERSION])


def persons(count: int, rng: random.Random) -> list[list[str]]:
    from coordination.mechanisms.tracing_letters.importing import TEMPLATE_HEADERS
    from coordination.pii.idcard import with_check_character

    rows = [TEMPLATE_HEADERS]
    for index in range(count):
        born = f"{rng.randrange(1940, 2015)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        # The sequence number (3 digits) with the index keeps every number distinct.
        first17 = f"34{index // 1000 % 100:02d}{rng.randrange(1, 30):02d}{born}{index % 1000:03d}"
        rows.append(
            [
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "居民身份证",
                with_check_character(first17),
                f"13{rng.randrange(5, 10)}{rng.randrange(10**8):08d}",
                f"安徽省某市某区某路{rng.randrange(1, 999)}号",
                rng.choice(CITIES),
                rng.choice(RELATIONS),
                f"2020-01-{rng.randrange(10, 28):02d}",
                f"G{rng.randrange(1000, 9999)}次列车{rng.randrange(1, 17)}车厢",
            ]
        )
    return rows


def as_csv(rows, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tracing_letters_tracedperson, tracing_letters_personalnumberunmasking,"
            " tracing_letters_tracinglettergroupobjectpermission, tracing_letters_tracingletter CASCADE"
        )
        cursor.execute(
            "DELETE FROM coordination_participant WHERE content_type_id IN"
            " (SELECT id FROM django_content_type WHERE app_label = 'tracing_letters')"
        )


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def one(kind: str, surface: str, name: str, content: bytes) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from coordination.mechanisms.tracing_letters import importing, services
    from coordination.mechanisms.tracing_letters.persons import Cities
    from coordination.models import Organisation

    user = get_user_model().objects.get(username="sh-liaison")
    addressee = Organisation.objects.get(code="ah-liaison")
    fields = {
        "title": "关于协查确诊病例密切接触者的函",
        "index_case_status": "confirmed",
        "index_case_summary": "基准测试",
    }
    empty()
    started = time.perf_counter()
    if surface == "check":
        report = importing.import_check(upload(name, content), cities=Cities(addressee.region))
        count = len(report.valid)
    elif surface == "service":
        letter = services.tracing_letter_create(by=user, addressee=addressee, file=upload(name, content), **fields)
        count = letter.persons.count()
    else:
        from django.test import Client

        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = client.post(
            "/api/v1/tracing-letters/", {**fields, "addressee": "ah-liaison", "file": upload(name, content)}
        )
        if response.status_code != 201:
            raise SystemExit(f"API import failed: {response.status_code} {response.content[:500]!r}")
        count = response.json()["person_count"]
    seconds = time.perf_counter() - started
    connection.close()
    return {"kind": kind, "surface": surface, "seconds": seconds, "persons": count}


def main() -> None:
    prepare_database()
    rng = random.Random(2020)
    rows = persons(PERSONS, rng)
    files = {
        "csv-utf8-bom": ("persons.csv", as_csv(rows, "utf-8-sig")),
        "csv-gbk": ("persons.csv", as_csv(rows, "gbk")),
        "xlsx": ("persons.xlsx", as_xlsx(rows)),
    }
    log(f"{PERSONS} persons; files: " + ", ".join(f"{k} {len(v[1]) / 1e6:.2f} MB" for k, v in files.items()))
    results = []
    for kind, (name, content) in files.items():
        for surface in ("check", "service", "api"):
            samples = [one(kind, surface, name, content) for _ in range(ROUNDS)]
            assert all(s["persons"] == PERSONS for s in samples), samples
            seconds = [s["seconds"] for s in samples]
            row = {
                "kind": kind,
                "surface": surface,
                "median_s": round(statistics.median(seconds), 3),
                "max_s": round(max(seconds), 3),
                "persons_per_s": round(PERSONS / statistics.median(seconds)),
                "target_met": statistics.median(seconds) <= TARGET_S if surface != "check" else None,
            }
            results.append(row)
            log(
                f"{kind:13} {surface:8} median {row['median_s']:6.2f} s  max {row['max_s']:6.2f} s"
                f"  {row['persons_per_s']:6d} persons/s"
                + ("" if row["target_met"] is None else ("  ✓ ≤ 10 s" if row["target_met"] else "  ✗ > 10 s"))
            )
    empty()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = {
        "persons": PERSONS,
        "rounds": ROUNDS,
        "target_s": TARGET_S,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": results,
    }
    (OUT_DIR / "tracing_letters.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    log(f"Written to {OUT_DIR / 'tracing_letters.json'}")


if __name__ == "__main__":
    main()
