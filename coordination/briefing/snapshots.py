"""The briefing served from precomputed snapshots, kept current by a Celery refresh.

A snapshot (BriefingSnapshot) holds what `briefing_compute(scope)` returned for one scope and
language. It is current while no outbox event — which every case change records in its own
transaction — came after the newest one it saw, and for at most BRIEFING_MAX_AGE_SECONDS (cases
fall overdue as time passes, with no event). A stale snapshot is served while one refresh is
queued, unless its figures lag the oldest change they miss by BRIEFING_MAX_LAG_SECONDS or more
(no worker?): then, as when there is no snapshot yet, the request computes them. A refresh that
changes the figures sends `briefing_refreshed`, which notices turns into a message to the open
dashboards of the scope's leaders.

The daily PDF does not come here: a document of record is computed when it is rendered.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.dispatch import Signal
from django.utils import timezone, translation

from coordination.briefing import BriefingScope, panels
from coordination.briefing.core import PROVINCIAL
from coordination.briefing.service import briefing_compute
from coordination.models import BriefingSnapshot, OutboxEvent
from coordination.models.briefing import OFFICE_SCOPE

log = logging.getLogger(__name__)

# `briefing_refreshed.send(sender=BriefingSnapshot, scope_key=…, language=…)`, after commit, when a
# refresh changed the figures. Receivers are connected in their AppConfig.ready() (notices).
briefing_refreshed = Signal()

REFRESH_STUCK = timedelta(minutes=2)  # a queued refresh not done by then is queued again
READ_TOUCH = timedelta(minutes=5)  # how coarsely `read_at` follows the reads
READ_WINDOW = timedelta(hours=1)  # beat keeps the snapshots read within this fresh
CLOCK_SKEW = timedelta(seconds=5)  # between the machines of web processes and workers


@dataclass(frozen=True)
class BriefingFigures:
    panels: list[dict]  # as briefing_compute() returns them
    computed_at: datetime
    stale: bool = False  # served while its refresh is on the way


def scope_key_of(scope: BriefingScope) -> str:
    return OFFICE_SCOPE if set(PROVINCIAL) <= set(scope.region_codes) else "-".join(scope.region_codes)


def scope_from_key(key: str, *, now: datetime | None = None) -> BriefingScope:
    codes = PROVINCIAL if key == OFFICE_SCOPE else tuple(key.split("-"))
    return BriefingScope(region_codes=codes, now=now or timezone.now())


def _language(language: str | None) -> str:
    return translation.get_supported_language_variant(language or translation.get_language() or "zh-hans")


def _snapshots():
    """Snapshots, each with the time of the oldest outbox event it has not seen (one probe of
    the outbox's primary key).

    An event whose transaction was still open when the computation read the newest event id can
    be missed; BRIEFING_MAX_AGE_SECONDS bounds how long."""
    unseen = OutboxEvent.objects.filter(pk__gt=OuterRef("seen_event_id")).order_by("pk")
    return BriefingSnapshot.objects.annotate(first_unseen=Subquery(unseen.values("created_at")[:1]))


def _newest_event_id() -> int:
    return OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _matches_registry(snapshot: BriefingSnapshot) -> bool:
    """False once the registered panels changed (a deploy): then the snapshot is not served."""
    return [panel.get("key") for panel in snapshot.panels] == [panel.key for panel in panels()]


def snapshot_lag(snapshot: BriefingSnapshot, now: datetime, *, ahead: float = 0.0) -> timedelta | None:
    """None while the snapshot is current; else how long its figures have been behind: since the
    oldest change they miss, or since they reached the maximum age. `ahead`: seconds of age to
    count as already passed (beat asks what will be stale before it runs again)."""
    if snapshot.computed_at > now + CLOCK_SKEW:
        return timedelta.max  # the clock went back: whatever it holds, it is not for now
    if snapshot.first_unseen is not None:
        return max(timedelta(0), now - snapshot.first_unseen)
    over = now - snapshot.computed_at - timedelta(seconds=settings.BRIEFING_MAX_AGE_SECONDS - ahead)
    return over if over > timedelta(0) else None


def _jsonable(computed: list[dict]) -> list[dict]:
    """The panels as the snapshot stores them (and returns them): JSON types, no templates."""
    stored = [{k: v for k, v in panel.items() if k != "template"} for panel in computed]
    return json.loads(json.dumps(stored, cls=DjangoJSONEncoder, ensure_ascii=False))


def _with_templates(stored: list[dict]) -> list[dict]:
    templates = {panel.key: panel.template for panel in panels()}
    return [{**panel, "template": templates[panel["key"]]} for panel in stored]


@dataclass(frozen=True)
class _Computed:
    panels: list[dict]
    computed_at: datetime
    seen_event_id: int
    took_ms: int


def _compute(scope: BriefingScope, language: str) -> _Computed:
    started = time.perf_counter()
    seen = _newest_event_id()  # before the figures: a change after it makes them stale
    with translation.override(language):
        computed = _jsonable(briefing_compute(scope))
    return _Computed(computed, scope.now, seen, round((time.perf_counter() - started) * 1000))


def _store(*, key: str, language: str, computed: _Computed, read: bool) -> None:
    """Keep the newer figures: a slow computation never overwrites a later one (but one dated in
    the future — the clock went back — is replaced)."""
    now = timezone.now()
    computed_at = computed.computed_at
    fields = {
        "computed_at": computed_at,
        "seen_event_id": computed.seen_event_id,
        "panels": computed.panels,
        "compute_ms": computed.took_ms,
        "refreshing_since": None,
    }
    if read:
        fields["read_at"] = now
    newer_or_future = Q(computed_at__lte=computed_at) | Q(computed_at__gt=now)
    if BriefingSnapshot.objects.filter(newer_or_future, scope_key=key, language=language).update(**fields):
        return
    try:
        with transaction.atomic():
            BriefingSnapshot.objects.create(scope_key=key, language=language, **fields)
    except IntegrityError:
        pass  # stored meanwhile, and newer


def _claim(snapshot: BriefingSnapshot, now: datetime) -> bool:
    """Mark the snapshot as being refreshed; False when a refresh is already queued."""
    if snapshot.refreshing_since is not None and snapshot.refreshing_since >= now - REFRESH_STUCK:
        return False  # known already, without a write
    unclaimed = Q(refreshing_since__isnull=True) | Q(refreshing_since__lt=now - REFRESH_STUCK)
    return bool(BriefingSnapshot.objects.filter(unclaimed, pk=snapshot.pk).update(refreshing_since=now))


def _enqueue(snapshot: BriefingSnapshot, now: datetime) -> None:
    """Queue the refresh after commit, no sooner than BRIEFING_MIN_REFRESH_SECONDS after the
    last computation (changes arriving all the time then cost one refresh per interval)."""
    earliest = snapshot.computed_at + timedelta(seconds=settings.BRIEFING_MIN_REFRESH_SECONDS)
    countdown = max(0.0, (earliest - now).total_seconds())
    key, language, pk = snapshot.scope_key, snapshot.language, snapshot.pk

    def send():
        from coordination.briefing.tasks import refresh_briefing_snapshot

        try:
            refresh_briefing_snapshot.apply_async((key, language), countdown=countdown, retry=False)
        except Exception:
            log.warning("briefing refresh of %s/%s not queued: broker unavailable", key, language, exc_info=True)
            BriefingSnapshot.objects.filter(pk=pk).update(refreshing_since=None)

    transaction.on_commit(send)


def briefing_read(scope: BriefingScope, *, language: str | None = None) -> BriefingFigures:
    """The figures of the scope's briefing, under the given (or the active) language: from its
    snapshot when current, or stale with a refresh queued, or computed now (then stored)."""
    language = _language(language)
    key = scope_key_of(scope)
    now = scope.now
    snapshot = _snapshots().filter(scope_key=key, language=language).first()
    if snapshot is not None and _matches_registry(snapshot):
        lag = snapshot_lag(snapshot, now)
        if lag is None or lag < timedelta(seconds=settings.BRIEFING_MAX_LAG_SECONDS):
            if lag is not None and _claim(snapshot, now):
                _enqueue(snapshot, now)
            if snapshot.read_at is None or now - snapshot.read_at > READ_TOUCH:
                BriefingSnapshot.objects.filter(pk=snapshot.pk).update(read_at=now)
            return BriefingFigures(_with_templates(snapshot.panels), snapshot.computed_at, stale=lag is not None)
    computed = _compute(scope, language)
    _store(key=key, language=language, computed=computed, read=True)
    return BriefingFigures(_with_templates(computed.panels), computed.computed_at)


def briefing_snapshot_refresh(*, scope_key: str, language: str, force: bool = False) -> bool:
    """Recompute one snapshot if it is not current (or `force`); True when its figures changed
    (the scope's leaders are then told, after commit)."""
    now = timezone.now()
    snapshot = _snapshots().filter(scope_key=scope_key, language=language).first()
    current = snapshot is not None and _matches_registry(snapshot) and snapshot_lag(snapshot, now) is None
    if current and not force:
        BriefingSnapshot.objects.filter(pk=snapshot.pk).update(refreshing_since=None)
        return False
    computed = _compute(scope_from_key(scope_key, now=now), language)
    _store(key=scope_key, language=language, computed=computed, read=False)
    if snapshot is not None and snapshot.panels == computed.panels:
        return False
    transaction.on_commit(
        lambda: briefing_refreshed.send(sender=BriefingSnapshot, scope_key=scope_key, language=language)
    )
    return True


def briefing_snapshots_refresh_stale(*, now: datetime | None = None, ahead: float = 0.0) -> int:
    """Queue a refresh of every snapshot read within the hour that is stale (or will be within
    `ahead` seconds): overdue counts then advance without events. The number queued."""
    now = now or timezone.now()
    queued = 0
    for snapshot in _snapshots().filter(read_at__gte=now - READ_WINDOW).defer("panels"):
        if snapshot_lag(snapshot, now, ahead=ahead) is not None and _claim(snapshot, now):
            _enqueue(snapshot, now)
            queued += 1
    return queued
