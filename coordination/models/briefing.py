"""Precomputed figures of the leaders' briefing: one row per scope and language, refreshed by a
Celery task when a case changes (coordination/briefing/snapshots.py)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

OFFICE_SCOPE = "office"  # the Regional Cooperation Office's briefing: all four regions


class BriefingSnapshot(models.Model):
    # "office", or the code of one provincial region (a regional leading group's briefing).
    scope_key = models.CharField(_("scope"), max_length=16)
    language = models.CharField(_("language"), max_length=16)
    # When the computation started, and the newest outbox event then: a change recorded by a
    # later event (every case change records one) is missing from these figures.
    computed_at = models.DateTimeField(_("computed at"))
    seen_event_id = models.BigIntegerField(_("newest event seen"), default=0)
    # What briefing_compute(scope) returned under this language, less each panel's template.
    panels = models.JSONField(_("panels"), encoder=DjangoJSONEncoder)
    compute_ms = models.PositiveIntegerField(_("computing took (ms)"), default=0)
    # Set when a refresh is queued (a conditional UPDATE, so one is queued at a time).
    refreshing_since = models.DateTimeField(_("refresh queued"), null=True, blank=True)
    # The last time a leader read it (coarse): beat keeps the snapshots read lately fresh.
    read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("briefing snapshot")
        verbose_name_plural = _("briefing snapshots")
        constraints = [models.UniqueConstraint(fields=["scope_key", "language"], name="unique_briefing_snapshot")]

    def __str__(self):
        return f"{self.scope_key} · {self.language} · {self.computed_at:%Y-%m-%d %H:%M:%S}"
