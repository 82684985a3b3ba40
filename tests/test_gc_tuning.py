"""The web process leaves full garbage collections to a periodic pass (config/gc_tuning.py)."""

import subprocess
import sys
from pathlib import Path

from config.gc_tuning import NEVER

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import gc, threading, config.asgi
print(gc.get_threshold()[2], gc.get_freeze_count() > 0, any(t.name == "full-gc" for t in threading.enumerate()))
"""


def run_probe(**env):
    import os

    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_loading_the_asgi_application_freezes_what_it_loaded_and_defers_full_collections():
    threshold, frozen, collector = run_probe()
    assert int(threshold) == NEVER and frozen == "True" and collector == "True"


def test_the_tuning_can_be_switched_off():
    threshold, frozen, collector = run_probe(ASGI_GC_TUNING="0")
    assert int(threshold) < NEVER and frozen == "False" and collector == "False"
