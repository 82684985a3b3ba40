"""The words of each notice, in Chinese and English, composed from an engine event."""

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext as _

from coordination import events
from coordination.models import Organisation
from coordination.workflow.transitions import transition_label
from notices.models import NoticeKind

KIND_OF_EVENT = {
    events.CASE_CREATED: NoticeKind.CASE_CREATED,
    events.CASE_TRANSITIONED: NoticeKind.CASE_TRANSITIONED,
    events.RECEIPT_READ: NoticeKind.RECEIPT_READ,
    events.DEADLINE_REMINDER: NoticeKind.DEADLINE_REMINDER,
    events.DEADLINE_ESCALATED: NoticeKind.DEADLINE_ESCALATED,
}


def case_link(payload: dict) -> str:
    return f"/cases/{payload['resource']}/{payload['id']}/"


def _title(event, model) -> str:
    p = event.payload
    case = f"{p['reference']} {p['title']}"
    if event.kind == events.CASE_CREATED:
        return _("New %(kind)s: %(case)s") % {"kind": model._meta.verbose_name, "case": case}
    if event.kind == events.CASE_TRANSITIONED:
        action = transition_label(model, p["transition"])
        return _("%(case)s: %(action)s") % {"case": case, "action": action}
    if event.kind == events.RECEIPT_READ:
        organisation = Organisation.objects.filter(pk=p.get("organisation")).first()
        return _("%(case)s was read by %(organisation)s") % {"case": case, "organisation": organisation}
    if event.kind == events.DEADLINE_REMINDER:
        return _("Deadline passed: %(case)s") % {"case": case}
    if event.kind == events.DEADLINE_ESCALATED:
        return _("Escalated, still not handled: %(case)s") % {"case": case}
    return case


def _body(event, model) -> str:
    p = event.payload
    state = dict(model._meta.get_field("state").choices).get(p.get("state"), p.get("state"))
    text = _("State: %(state)s.") % {"state": state}
    if p.get("comment"):
        text += " " + _("Comment: %(comment)s") % {"comment": p["comment"]}
    return text


def notice_texts_many(recorded) -> list[dict]:
    """title_zh, title_en, body_zh, body_en, link and reference of the notices of each event.
    Each language is switched to once for all of them (a batch of 500 filings spent a quarter
    of its time switching languages event by event)."""
    texts = [{"link": case_link(event.payload), "reference": event.payload["reference"]} for event in recorded]
    models = [apps.get_model(event.payload["model"]) for event in recorded]
    for language, suffix in (("zh-hans", "zh"), ("en", "en")):
        with translation.override(language):
            for event, model, words in zip(recorded, models, texts, strict=True):
                words[f"title_{suffix}"] = _title(event, model)[:300]
                words[f"body_{suffix}"] = _body(event, model)
    return texts
