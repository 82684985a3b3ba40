"""Celery task of the daily briefing (imported through CELERY_IMPORTS): a thin wrapper."""

from celery import shared_task

from coordination.briefing.daily import daily_briefings_issue


@shared_task(ignore_result=True)
def issue_daily_briefings() -> list[str]:
    return [issued.path for issued in daily_briefings_issue()]
