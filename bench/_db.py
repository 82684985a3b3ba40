"""The benchmarks' own PostgreSQL databases: created, reused while they hold the wanted data
set (a `bench_dataset` marker row), recreated otherwise — never one without "bench" in its name
or a marker (a developer's database pointed at by mistake is refused, not dropped)."""

import os
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def log(message: str = "") -> None:
    print(message, flush=True)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def prepare(url: str, *, marker_sql: str, wanted: tuple, holds_data: Callable, describe: str) -> bool:
    """Make sure the bench database of `url` exists; True when its marker (`marker_sql`'s row)
    equals `wanted` and `holds_data(connection)` agrees, so the data set can be reused."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
    marker = None
    if exists:
        with psycopg.connect(url) as conn:
            has_marker = conn.execute("SELECT to_regclass('bench_dataset') IS NOT NULL").fetchone()[0]
            if has_marker:
                marker = conn.execute(marker_sql).fetchone()
                if marker == wanted and holds_data(conn):
                    log(f"Reusing {name}: {describe}.")
                    return True
        if not has_marker and "bench" not in name:
            sys.exit(f"Refusing to recreate {name!r}: it is not a bench database (no bench_dataset marker).")
    with psycopg.connect(maintenance_url(url), autocommit=True) as admin:
        if exists:
            log(f"Recreating {name} (held {marker or 'no bench data set'}, want {describe}).")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        else:
            log(f"Creating {name}.")
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def setup_django(url: str, *, test_client: bool = False) -> None:
    """Django on the bench database, without the query log on the timed path; with the test
    client's request/response plumbing when the bench measures pages."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False
    if test_client:
        from django.test.utils import setup_test_environment

        setup_test_environment(debug=False)
