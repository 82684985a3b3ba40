"""`manage.py prepare_database`: before `migrate`, make sure the database was laid out by this
version of the platform's migrations.

The platform re-cut its apps and migrations before its first release (one app per mechanism).
A database made before that records migrations that no longer exist; migrating it would fail
half-way with a traceback. Instead this says so plainly. The embedded default's SQLite file is
the demo's: it is moved aside (kept, renamed) and a fresh one is made, so `make run` starts.
A PostgreSQL database is never touched: the command names what to do and stops.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone


def stale_migrations() -> list[tuple[str, str]]:
    """Migrations the database records for the project's own apps that this code does not have."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    ours = {c.label for c in apps.get_app_configs() if Path(c.path).is_relative_to(settings.BASE_DIR)}
    on_disk = set(MigrationLoader(connection, ignore_no_migrations=True).disk_migrations)
    return sorted(
        (app, name) for app, name in recorder.applied_migrations() if app in ours and (app, name) not in on_disk
    )


class Command(BaseCommand):
    help = "Check that the database was made by this version's migrations (before migrate)."

    def handle(self, *args, **options):
        stale = stale_migrations()
        if not stale:
            return
        names = ", ".join(f"{app}.{name}" for app, name in stale[:4])
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                f"The database {database['NAME']} was made by an earlier version of the platform, whose "
                f"migrations were re-cut before the first release ({names}…). Make a new, empty database "
                "(or drop this one) and run `manage.py migrate` and `manage.py seed_demo` again."
            )
        path = Path(database["NAME"])
        connection.close()
        kept = path.with_name(f"{path.stem}.before-{timezone.now():%Y%m%d-%H%M%S}{path.suffix}")
        path.rename(kept)
        for suffix in ("-wal", "-shm"):
            journal = path.with_name(path.name + suffix)
            if journal.exists():
                journal.rename(kept.with_name(kept.name + suffix))
        self.stdout.write(
            self.style.WARNING(
                f"The embedded database {path} was made by an earlier version of the platform, whose "
                f"migrations were re-cut before the first release ({names}…).\n"
                f"It is kept as {kept}; a fresh demo database is made now. (To start afresh without "
                "keeping anything: `make clean-var`.)"
            )
        )
