"""`make run` on a database made before the apps were re-cut says so plainly, never a traceback:
the embedded SQLite file is kept aside and a fresh one made; PostgreSQL is left alone."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def run(*args, var_dir):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_VAR_DIR=str(var_dir))
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_an_embedded_database_of_the_earlier_layout_is_kept_aside_and_made_afresh(tmp_path):
    assert run("migrate", "--noinput", "-v0", var_dir=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "platform.sqlite3") as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
            ("coordination", "0003_workflow_engine", "2026-11-01"),
        )
    prepared = run("prepare_database", var_dir=tmp_path)
    assert prepared.returncode == 0, prepared.stderr
    assert "earlier version" in prepared.stdout and "Traceback" not in prepared.stderr
    kept = list(tmp_path.glob("platform.before-*.sqlite3"))
    assert len(kept) == 1 and not (tmp_path / "platform.sqlite3").exists()
    assert run("migrate", "--noinput", "-v0", var_dir=tmp_path).returncode == 0
    again = run("prepare_database", var_dir=tmp_path)
    assert again.returncode == 0 and again.stdout == ""


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL answer")
def test_a_postgresql_database_of_the_earlier_layout_is_named_and_left_alone():
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).record_applied("coordination", "0003_workflow_engine")
    with pytest.raises(CommandError, match="earlier version"):
        call_command("prepare_database")
    assert MigrationRecorder(connection).migration_qs.filter(name="0003_workflow_engine").exists()
