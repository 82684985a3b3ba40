"""The case page every mechanism shares: `/cases/<resource>/<id>/` (the resource its declaration names).

State, transition graph with the current state highlighted, the actions this user may take
(as forms built from each transition's payload serializer), participants and receipts, the
mechanism's own fields and the audit trail. It refreshes itself when a notice about the case
arrives over the WebSocket.
"""

import functools
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework import serializers

from coordination.documents import documents_for
from coordination.errors import Conflict, DomainError, Invalid, PreconditionFailed
from coordination.models import AuditEntry, Case, Participant
from coordination.pii.fields import EncryptedCharField
from coordination.templatetags.coordination_tags import duration_label
from coordination.workflow import mechanisms
from coordination.workflow.engine import allowed_transitions, payload_serializer_for, transition_fire
from coordination.workflow.graph import transition_graph_svg
from coordination.workflow.opening import case_open
from coordination.workflow.patterns import NoticeCase
from coordination.workflow.patterns.notice import receipts_of
from coordination.workflow.transitions import transition_spec

# Fields shown on every case page already, or internal to the engine.
BASE_FIELDS = {f.name for f in Case._meta.get_fields()} | {"id", "state"}


def declaration_for(resource: str):
    declaration = mechanisms.for_resource(resource)
    if declaration is None:
        raise Http404
    return declaration


def _page_rule(resource: str, rule_of):
    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not rule_of(declaration_for(resource)).allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def creator_required(resource: str):
    """A page that creates a case of the mechanism: for signed-in users its declaration's
    `may_create` allows (403 for the others)."""
    return _page_rule(resource, lambda declaration: declaration.may_create)


def link_required(resource: str, url_name: str):
    """A page the mechanism declares in its `links`: for those the link's `who` allows (403
    for the others), the same rule that shows the link in the navigation."""

    def rule_of(declaration):
        return next(link.who for link in declaration.links if link.url_name == url_name)

    return _page_rule(resource, rule_of)


def own_fields(case) -> list[tuple[str, object]]:
    rows = []
    personal = mechanisms.for_model(case).personal
    hidden = set(personal.hidden + personal.encrypted) if personal else set()
    for f in type(case)._meta.get_fields():
        if f.name in BASE_FIELDS or f.auto_created or not f.concrete or f.name.endswith("_ptr"):
            continue
        if f.name in hidden or isinstance(f, EncryptedCharField):
            continue  # personal numbers appear masked, through fields the model names
        if f.many_to_many:
            value = ", ".join(str(o) for o in getattr(case, f.name).all())
        elif f.choices:
            value = getattr(case, f"get_{f.name}_display")()
        else:
            value = shown(getattr(case, f.name))
        if value not in (None, "", [], {}):
            rows.append((f.verbose_name, value))
    return rows


def shown(value):
    """A field's value as a reader wants it: local time to the minute, lists joined."""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, timedelta):
        return duration_label(value)
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return value


def action_forms(model, names: list[str], *, case=None, user=None) -> list[dict]:
    """A form per allowed transition, built from its payload serializer. An item transition's
    form carries the version of the user's item (their receipt), not the case's."""
    forms = []

    def _item_version(spec):
        if spec.item is None or case is None:
            return None
        item = spec.item(case, user)
        return item.version if item is not None else None

    for name in names:
        spec = transition_spec(model, name)
        serializer_class = payload_serializer_for(model, name)
        fields = []
        if serializer_class is not None:
            for field_name, field in serializer_class().fields.items():
                if isinstance(field, serializers.SlugRelatedField | serializers.PrimaryKeyRelatedField):
                    queryset = field.get_queryset()
                    choices = [(getattr(o, field.slug_field, o.pk), str(o)) for o in queryset[:200]]
                else:
                    choices = getattr(field, "choices", None)
                    choices = list(choices.items()) if isinstance(choices, dict) else None
                fields.append(
                    {
                        "name": field_name,
                        "label": field.label or field_name,
                        "required": field.required,
                        "choices": choices,
                        "long": isinstance(field, serializers.CharField) and (field.max_length or 0) > 300,
                        "input": "date" if isinstance(field, serializers.DateField) else "text",
                    }
                )
        forms.append({"name": name, "label": spec.label, "fields": fields, "item": _item_version(spec)})
    return forms


# What the engine itself writes to the audit trail, beside a mechanism's declared transitions.
ENGINE_ACTIONS = {
    "create": _("Created"),
    "read": _("Read"),
    "remind": _("Deadline reminder"),
    "escalate": _("Escalated"),
}


def labelled_audit(model, entries) -> list:
    """Audit entries with the words people read: the transition's label and state names."""
    states = dict(model._meta.get_field("state").choices)
    rows = list(entries)
    for entry in rows:
        spec = transition_spec(model, entry.transition)
        entry.label = spec.label if spec else ENGINE_ACTIONS.get(entry.transition, entry.transition)
        entry.from_label = states.get(entry.from_state, entry.from_state)
        entry.to_label = states.get(entry.to_state, entry.to_state)
    return rows


@login_required
def case_detail(request, resource: str, pk: int):
    declaration = declaration_for(resource)
    model = declaration.model
    case = case_open(request.user, model, pk, read=True, channel="page")
    content_type = ContentType.objects.get_for_model(model)
    participants = Participant.objects.filter(content_type=content_type, object_id=case.pk).select_related(
        "organisation"
    )
    audit = AuditEntry.objects.filter(content_type=content_type, object_id=case.pk).select_related(
        "actor", "organisation"
    )
    participants = list(participants.order_by("id"))
    if isinstance(case, NoticeCase):
        receipts = {r.organisation_id: r for r in receipts_of(case)}
        for p in participants:
            p.receipt = receipts.get(p.organisation_id) if p.role == Participant.Role.ADDRESSEE else None
    allowed = allowed_transitions(case, request.user)
    errors = request.session.pop("case_errors", None)
    submitted = request.session.pop("case_submitted", None)
    generic = [name for name in allowed if name not in declaration.page_actions]
    context = {
        "case": case,
        "resource": resource,
        "own_fields": own_fields(case),
        "participants": participants,
        "has_receipts": isinstance(case, NoticeCase),
        "audit": labelled_audit(model, audit.order_by("seq")),
        "documents": documents_for(case, request.user),
        "actions": action_forms(model, generic, case=case, user=request.user),
        "graph": mark_safe(transition_graph_svg(model, case.state)),  # noqa: S308 - Graphviz output of our own labels
        # The generic forms' errors and values; a panel's own forms read theirs from its context.
        "errors": errors if errors and errors.get("action") in generic else None,
        "submitted": submitted if submitted and submitted.get("action") in generic else None,
    }
    if declaration.case_panel:
        context["case_panel"] = declaration.case_panel
        context["panel"] = declaration.case_context(
            case, request.user, allowed=allowed, errors=errors, submitted=submitted
        )
    template = "coordination/case_live.html" if request.headers.get("X-Live") else "coordination/case.html"
    return render(request, template, context)


def form_values(post) -> dict:
    """Everything a form's POST typed, to give it back after a refusal (not the CSRF token)."""
    return {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}


@login_required
@require_POST
def case_transition(request, resource: str, pk: int, name: str):
    declaration = declaration_for(resource)
    model = declaration.model
    if name in declaration.page_actions:
        # The mechanism's panel renders this form (nested lines…): its reader makes the payload.
        payload = declaration.page_payload(name, request.POST)
        typed = form_values(request.POST)
    else:
        serializer_class = payload_serializer_for(model, name) if transition_spec(model, name) else None
        fields = serializer_class().fields if serializer_class else {}
        payload = {k: request.POST[k] for k in fields if request.POST.get(k, "") != ""}
        typed = {**payload, "comment": request.POST.get("comment", "")}
    try:
        transition_fire(
            model,
            pk,
            name,
            by=request.user,
            data=payload,
            comment=request.POST.get("comment", ""),
            expected_version=request.POST.get("version") or None,
        )
    except Invalid as exc:
        request.session["case_errors"] = {"action": name, "errors": exc.details}
        request.session["case_submitted"] = {"action": name, "values": typed}
    except (PreconditionFailed, Conflict) as exc:
        # Nothing typed is lost: the form comes back filled in, with the reason above it (a
        # conflict names what it is about: "line 2 needs only 300 more").
        messages.error(request, str(exc.message))
        request.session["case_submitted"] = {"action": name, "values": typed, "message": str(exc.message)}
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(getattr(exc, "message", "")) or str(exc) or "403")
    else:
        messages.success(request, transition_spec(model, name).label)
    return redirect("case-detail", resource=resource, pk=pk)
