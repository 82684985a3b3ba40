"""Celery task of M1: the retention purge of closed letters' personal data, hourly.

The schedule is added by the task's own app on configuration (Celery's `add_periodic_task`), so
the shared beat schedule in config/settings.py names no mechanism.
"""

from celery import current_app, shared_task

PURGE_EVERY_SECONDS = 3600.0


PURGE_TASK = "tracing_letters.purge"


@shared_task(name=PURGE_TASK)
def purge_tracing_letters() -> int:
    from coordination.mechanisms.tracing_letters.services import tracing_letters_purge

    return tracing_letters_purge()


@current_app.on_after_configure.connect
def _schedule(sender, **kwargs):
    # By name: the signature must not look the task up before the app has registered it.
    sender.add_periodic_task(PURGE_EVERY_SECONDS, sender.signature(PURGE_TASK), name="purge-tracing-letters")
