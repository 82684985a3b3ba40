"""The leaders' briefing: a registry of panels each mechanism adds (shared/DESIGN.md §3).

A mechanism declares its panels in its declaration (coordination/workflow/mechanisms.py):

    briefing = (Panel(key="…", title=_("…"), order=40, compute=figures, template="…/panel.html"),)

the platform's own panels (cases per mechanism, escalations) `register` here.

`compute(scope)` returns aggregates only — never personal data — for the regions in
`scope.region_codes`; the page, its JSON (`/api/v1/briefing/`) and the daily briefing PDF all
read the same panels, so adding a mechanism's figures never means editing the page. The page and
its JSON read them precomputed, from a snapshot a worker keeps current (snapshots.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone


@dataclass(frozen=True)
class BriefingScope:
    """What a leader may see: the provincial regions (all four for the Office)."""

    region_codes: tuple[str, ...]
    now: datetime = field(default_factory=timezone.now)


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    order: int
    compute: Callable[[BriefingScope], dict]
    template: str
    # The figure the dashboard's headline shows from this panel's data, if any:
    # data → {"key", "label", "value", "alert"?}.
    headline: Callable[[dict], dict] | None = None


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    _panels[panel.key] = panel
    return panel


def panels() -> list[Panel]:
    """The platform's panels and those every registered mechanism declares, in order."""
    from coordination.workflow import mechanisms

    found = dict(_panels)
    for declaration in mechanisms.registered():
        found.update((panel.key, panel) for panel in declaration.briefing)
    return sorted(found.values(), key=lambda p: (p.order, p.key))
