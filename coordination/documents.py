"""Documents attached to a case (circulars, receipts…), listed on the case page, and the
renderer that turns a template into an official PDF.

`coordination` knows no document app: an app that issues documents for cases registers a
provider here in its AppConfig.ready(); the case page asks every provider. A provider takes
(case, user) and returns dicts with `title`, `number`, `status`, `url` (None until ready).

Likewise the app that owns the official-document renderer (notices: WeasyPrint, the CJK
fonts, the restricted URL fetcher) registers it with `register_renderer`; coordination's
receipts and briefings render through `renderer()` and `qr_svg()`.
"""

from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

Provider = Callable[[object, object], list[dict]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def documents_for(case, user) -> list[dict]:
    return [document for provider in _providers for document in provider(case, user)]


# --- the official-document renderer -----------------------------------------------------------


class RenderedDocument(Protocol):
    pdf: bytes
    pages: int


class DocumentRenderer(Protocol):
    def render_template(self, template_name: str, context: dict) -> RenderedDocument: ...


_renderer: dict[str, Callable] = {}


def register_renderer(get_renderer: Callable[[], DocumentRenderer], qr_svg: Callable[[str], str]) -> None:
    """`get_renderer()` returns the process's renderer (built once, kept); `qr_svg(url)` the
    QR code, as inline SVG, that official documents print to point at their verification page."""
    _renderer.update(get_renderer=get_renderer, qr_svg=qr_svg)


def _registered(name: str) -> Callable:
    if name not in _renderer:
        raise ImproperlyConfigured("No official-document renderer is registered: is the notices app installed?")
    return _renderer[name]


def renderer() -> DocumentRenderer:
    return _registered("get_renderer")()


def qr_svg(url: str) -> str:
    return _registered("qr_svg")(url)


# --- rendering in Celery -----------------------------------------------------------------------

# The task options of every official-document render: bounded in time, acknowledged only when
# done, retried a few times. A render whose pool process is killed goes back to the queue at
# once (reject_on_worker_lost) and is redone by the next process; one whose worker's main
# process dies comes back by its document's sweep (or Redis' visibility timeout). Either way a
# render may run twice: the service must store the document once (a status or "stored yet?"
# check under select_for_update, as circular_render and insurance_receipt_render do).
RENDER_RETRY_BACKOFF_SECONDS = 5


def render_task_options() -> dict:
    from django.conf import settings

    return {
        "bind": True,
        "ignore_result": True,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "soft_time_limit": settings.CIRCULAR_RENDER_SOFT_TIME_LIMIT,
        "time_limit": settings.CIRCULAR_RENDER_TIME_LIMIT,
        "max_retries": settings.CIRCULAR_RENDER_MAX_ATTEMPTS - 1,
    }


def render_with_retries(task, render: Callable[[], object], *, what: str, log, give_up=None) -> None:
    """Run `render()` in a bound render task: on failure retry with exponential backoff; after
    the last attempt log it and call `give_up(reason)`, if given, instead of raising."""
    try:
        render()
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if task.request.retries >= task.max_retries:
            log.exception("%s: giving up after %s attempts", what, task.request.retries + 1)
            if give_up is not None:
                give_up(reason)
            return
        log.warning("%s: render failed (%s), retrying", what, reason)
        raise task.retry(exc=exc, countdown=RENDER_RETRY_BACKOFF_SECONDS * 2**task.request.retries) from exc
