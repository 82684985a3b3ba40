"""Celery tasks of the briefing (imported through CELERY_IMPORTS): thin wrappers."""

from celery import shared_task

from coordination.briefing.daily import daily_briefings_issue
from coordination.briefing.snapshots import briefing_snapshot_refresh, briefing_snapshots_refresh_stale

BEAT_SECONDS = 60.0  # config/settings.py schedules refresh_stale_briefings this often


# Redone when its worker is killed (re-storing the day's briefings is harmless), bounded in time.
@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660)
def issue_daily_briefings() -> list[str]:
    return [issued.path for issued in daily_briefings_issue()]


@shared_task(ignore_result=True)
def refresh_briefing_snapshot(scope_key: str, language: str) -> bool:
    return briefing_snapshot_refresh(scope_key=scope_key, language=language)


@shared_task(ignore_result=True)
def refresh_stale_briefings() -> int:
    # What will be stale before the next run is refreshed now, so the dashboards being read
    # never wait for a reader to find their snapshot stale.
    return briefing_snapshots_refresh_stale(ahead=BEAT_SECONDS)
