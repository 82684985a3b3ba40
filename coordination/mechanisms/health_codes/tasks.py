from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(ignore_result=True)
def purge_lists() -> int:
    """Delete the lists older than HEALTH_CODE_LIST_KEEP_DAYS (their entries with them)."""
    from coordination.mechanisms.health_codes.models import CodeList, CodeListEntry

    cutoff = timezone.localdate() - timedelta(days=settings.HEALTH_CODE_LIST_KEEP_DAYS)
    old = list(CodeList.objects.filter(list_date__lt=cutoff).values_list("pk", flat=True))
    CodeListEntry.objects.filter(code_list_id__in=old).delete()
    deleted, _ = CodeList.objects.filter(pk__in=old).delete()
    return deleted
