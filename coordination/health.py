"""`GET /healthz`: is the database, the channel layer and the Celery broker reachable?"""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from config.celery import app as celery_app


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_channel_layer() -> None:
    # A round trip through the layer: for channels-redis this reaches Redis.
    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel(prefix="healthz.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "healthz", "token": token})
        message = await layer.receive(channel)
        if message.get("token") != token:
            raise RuntimeError("channel layer returned another message")

    async_to_sync(round_trip)()


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=celery_app.conf.broker_connection_timeout)


def check_pdf_subsetter() -> None:
    # Without HarfBuzz's subsetter WeasyPrint subsets CJK fonts with fontTools: a circular then
    # takes 15-18 s instead of 0.3-0.5 s, so circular rendering refuses to start.
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        raise RuntimeError(
            "HarfBuzz subsetter missing (Debian package libharfbuzz-subset0): PDF circulars are not rendered"
        )


CHECKS = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
    "pdf_subsetter": check_pdf_subsetter,
}


def health_report() -> dict:
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable", reported by name
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            report[name] = {"ok": True}
    return report
