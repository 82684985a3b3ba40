"""`manage.py seed_demo`: the demo organisations, people and cases of the 2020 story.

Each app that has demo data offers `<app>/demo.py` with a `seed()` function; they run in
INSTALLED_APPS order (coordination first). Idempotent: a second run changes nothing.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo organisations, users and cases. Idempotent."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.seed()
            self.stdout.write(f"seeded {config.label}")
