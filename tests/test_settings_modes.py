"""The one settings module runs embedded by default and on PostgreSQL/Redis when told to."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "prefix": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix"),
    "pool": settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "debug": settings.DEBUG,
    "language": settings.LANGUAGE_CODE,
}))
"""
CLEARED = ("DATABASE_URL", "DATABASE_POOL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY")


def load_settings(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_with_no_variables_it_runs_the_embedded_default(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"].startswith(str(tmp_path))
    assert settings["layer"] == "channels.layers.InMemoryChannelLayer"
    assert settings["broker"] == "filesystem://"
    assert settings["eager"] is False
    assert settings["language"] == "zh-hans"


def test_with_database_and_redis_urls_it_runs_on_postgresql_and_redis(tmp_path):
    result = load_settings(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/yrd", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "yrd"
    assert settings["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert settings["prefix"] == "yrd.yrd.3."  # pub/sub is server-wide: deployments must not share names
    assert settings["pool"] is None  # only web processes pool (config/asgi.py): Celery forks
    assert settings["broker"] == "redis://127.0.0.1:6379/3"


def test_a_web_process_pools_its_postgresql_connections(tmp_path):
    result = load_settings(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/yrd", DATABASE_POOL="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pool"]["max_size"] >= 8


def test_production_mode_refuses_the_default_secret_key(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_mode_starts_with_a_real_secret_key(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 50, FIELD_ENCRYPTION_KEY="f" * 44)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


def test_a_malformed_value_stops_the_process_loudly(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="perhaps")
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr
