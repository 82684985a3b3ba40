"""`manage.py seed_demo`: the demo organisations, people and cases of the 2020 story.

In INSTALLED_APPS order (coordination first): a mechanism's demo is its declaration's `demo`
(coordination/workflow/mechanisms.py); any other app may offer `<app>/demo.py` with a `seed()`.
Idempotent: a second run changes nothing.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from coordination.workflow import mechanisms


def _app_seed(config):
    try:
        module = import_module(f"{config.name}.demo")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.demo":
            raise
        return None
    return module.seed


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo organisations, users and cases. Idempotent."

    def handle(self, *args, **options):
        declared = {d.model._meta.app_label: d for d in mechanisms.registered()}
        for config in apps.get_app_configs():
            seed = declared[config.label].demo if config.label in declared else _app_seed(config)
            if seed is None:
                continue
            seed()
            self.stdout.write(f"seeded {config.label}")
