"""The mechanism registry: one typed declaration per mechanism, read by everything generic.

A mechanism is one package (a Django app under coordination/mechanisms/, or supplies/) whose
`AppConfig.ready()` imports its `mechanism.py`; there a subclass of `Mechanism` decorated with
`@register` says what the engine and the generic surfaces need to know: the catalogue code, the
case model (a pattern subclass plus its own fields), the reference code and API resource name,
the serializers and create service, who may create, its transitions' payloads, its personal
data, its register columns, briefing panels, pages and demo. The API router, navigation, "my
work", registers, search, case pages, briefing, deadlines, documents, admin, demo and the
conformance tests iterate `registered()`; no shared file names a mechanism.

Start-up checks (`check_declarations`, a Django system check) refuse a declaration that does
not match the catalogue or its model, and a concrete case model nobody registered.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# --- who may create -----------------------------------------------------------------------------


class Rule:
    """Who may do something, judged on a user's membership (None: no membership)."""

    def __call__(self, membership) -> bool:
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        return AnyOf((self, other))

    def allows(self, user) -> bool:
        from coordination.workflow.access import membership_of

        return self(membership_of(user))


@dataclass(frozen=True)
class Member(Rule):
    """A member of an organisation of `kind` (any kind when None), holding `role` (any when None)."""

    kind: str | None = None
    role: str | None = None

    def __call__(self, membership) -> bool:
        if membership is None:
            return False
        return (self.kind is None or membership.organisation.kind == self.kind) and (
            self.role is None or membership.role == self.role
        )


@dataclass(frozen=True)
class AnyOf(Rule):
    rules: tuple[Rule, ...]

    def __call__(self, membership) -> bool:
        return any(rule(membership) for rule in self.rules)

    def __or__(self, other: Rule) -> Rule:
        return AnyOf((*self.rules, other))


@dataclass(frozen=True)
class Nobody(Rule):
    """Cases of the mechanism are created by the system or another mechanism, never by hand."""

    def __call__(self, membership) -> bool:
        return False


def member(*, kind: str | None = None, role: str | None = None) -> Member:
    return Member(kind=kind, role=role)


# --- the parts of a declaration ---------------------------------------------------------------


@dataclass(frozen=True)
class Serializers:
    """The API's serializers: a list row, the detail and the create request (whose validated
    data is the create service's keyword arguments)."""

    row: type
    detail: type
    create: type | None = None


@dataclass(frozen=True)
class Personal:
    """Personal data the case carries (coordination/pii): its encrypted fields (never shown by
    the generic pages), fields that only hold derived search material, and whether each
    opening of a case is recorded in the personal-data access log."""

    encrypted: tuple[str, ...]
    hidden: tuple[str, ...] = ()
    log_openings: bool = True


@dataclass(frozen=True)
class Column:
    """A register column: its key, header and how a case gives its value."""

    key: str
    header: Any
    value: Callable[[Any], object]


@dataclass(frozen=True)
class Link:
    """A page of the mechanism in the navigation, shown to those `who` allows."""

    url_name: str
    label: Any
    who: Rule


@dataclass(frozen=True)
class SignOff:
    """When a mechanism's circulars are signed off (签发) by the issuing organisation's office
    head: before they are numbered and issued (the default), or — for emergencies — after,
    within `within` of the issue (补签), the lateness escalated to the organisation's leaders."""

    after_issue: bool = False
    within: timedelta = timedelta(hours=24)


SIGN_OFF_BEFORE_ISSUE = SignOff()


def _identity(queryset: QuerySet) -> QuerySet:
    return queryset


class Mechanism:
    """A mechanism's declaration. Subclass, set the attributes, decorate with `@register`.

    Only `code`, `model`, `reference_code`, `resource`, `serializers`, `create` and
    `may_create` are required; the rest have defaults a plain mechanism keeps.
    """

    # The catalogue rows it serves (coordination/reference_data.py): `code`, and `codes` when one
    # model serves several (measure notices: M3, M7, F4, F5), with a reference code each.
    code: ClassVar[str]
    codes: ClassVar[tuple[str, ...]] = ()
    model: ClassVar[type]
    reference_code: ClassVar[str | dict[str, str]]
    resource: ClassVar[str]  # the API's /api/v1/<resource>/ and the case pages' /cases/<resource>/
    # The API's URL names (`<basename>-list`, `<basename>-detail`…); by default the resource
    # in the singular ("insurance-filings" → "insurance-filing").
    basename: ClassVar[str | None] = None
    serializers: ClassVar[Serializers]
    create: ClassVar[Callable[..., Any]]  # the service: create(*, by, **validated) → the case
    may_create: ClassVar[Rule]
    # Payload serializers of transitions, by name, overriding the pattern's defaults.
    payloads: ClassVar[dict[str, type]] = {}
    personal: ClassVar[Personal | None] = None
    # Visibility (coordination/workflow/access.py): whether the Office and regional leaders see
    # the cases by rule, and which participant roles open a case (None: every role).
    visible_to_rule_viewers: ClassVar[bool] = True
    visible_participant_roles: ClassVar[tuple[str, ...] | None] = None
    # Columns on the case rows naming the regions taking part (the briefing reads them instead
    # of a million participant rows); empty: by participants.
    region_fields: ClassVar[tuple[str, ...]] = ()
    # The register: extra columns, what to annotate its queryset with, its filters.
    columns: ClassVar[tuple[Column, ...]] = ()
    annotate_register: ClassVar[Callable[[QuerySet], QuerySet]] = staticmethod(_identity)
    filters: ClassVar[tuple[str, ...]] = ("state",)
    # The API viewset, when the mechanism adds actions to the generic one (a CaseViewSet subclass).
    viewset: ClassVar[type | None] = None
    # Pages: the URL module included at the site root, the page that creates a case (a URL
    # name), and links in the navigation.
    urls: ClassVar[str | None] = None
    new_page: ClassVar[str | None] = None
    new_label: ClassVar[Any] = _("New")
    links: ClassVar[tuple[Link, ...]] = ()
    # The case page (coordination/case_pages.py), where the generic forms built from flat
    # payload fields fall short (nested lines, a quantity per pledge): a template it includes
    # with the case (`case_panel`), that template's context (`case_context(case, user, *,
    # allowed, errors, submitted)` → dict: `allowed` the user's allowed transitions, `errors`
    # and `submitted` the refused form's errors and typed values), and the transitions whose
    # forms the panel renders itself (`page_actions`): the generic forms skip them, and their
    # POSTs to the generic transition URL are read into the API's payload by
    # `page_payload(name, post)` (post: the form's QueryDict).
    case_panel: ClassVar[str | None] = None
    case_context: ClassVar[Callable[..., dict] | None] = None
    page_actions: ClassVar[tuple[str, ...]] = ()
    page_payload: ClassVar[Callable[[str, Any], dict] | None] = None
    # What opening a case does beyond the engine's (a personal-data mechanism's openings are
    # logged by `personal.log_openings`); called by the API and the pages alike through
    # coordination.workflow.opening.case_open.
    on_open: ClassVar[Callable[[Any, Any, str], None] | None] = None
    # The official circular issued with a new case: case → the circular's fields, or None.
    circular: ClassVar[Callable[[Any], dict] | None] = None
    # When that circular is signed off: a SignOff, or one per catalogue code (others: before).
    sign_off: ClassVar[SignOff | dict[str, SignOff]] = SIGN_OFF_BEFORE_ISSUE
    # Demo data of the 2020 story (idempotent), in the order the mechanisms are installed.
    demo: ClassVar[Callable[[], None] | None] = None
    # Briefing panels (coordination.briefing.Panel) the mechanism adds.
    briefing: ClassVar[tuple[Any, ...]] = ()
    # Scale data (manage.py generate_scale_data): a callable(count, *, rng, world) that creates
    # `count` cases through the engine's bulk paths (cases_create_many, transitions_fire_each)
    # and yields each batch's cases; its `flag` attribute names its command-line option.
    scale: ClassVar[Callable[..., Any] | None] = None
    # Extra admin options for the read-only case admin (list_display…), by name.
    admin: ClassVar[dict[str, Any]] = {}

    # --- derived --------------------------------------------------------------------------

    @classmethod
    def all_codes(cls) -> tuple[str, ...]:
        return cls.codes or (cls.code,)

    @classmethod
    def sign_off_for(cls, mechanism_code: str) -> SignOff:
        if isinstance(cls.sign_off, dict):
            return cls.sign_off.get(mechanism_code, SIGN_OFF_BEFORE_ISSUE)
        return cls.sign_off

    @classmethod
    def reference_code_for(cls, mechanism_code: str) -> str:
        if isinstance(cls.reference_code, dict):
            return cls.reference_code[mechanism_code]
        return cls.reference_code

    @classmethod
    def api_basename(cls) -> str:
        return cls.basename or cls.resource.removesuffix("s")

    @classmethod
    def label(cls) -> str:
        return cls.model._meta.label_lower

    @classmethod
    def title(cls):
        return cls.model._meta.verbose_name_plural

    @classmethod
    def payload_for(cls, name: str):
        """The payload serializer of a transition: the mechanism's, else the pattern's."""
        from coordination.workflow.transitions import transition_spec

        if name in cls.payloads:
            return cls.payloads[name]
        spec = transition_spec(cls.model, name)
        return spec.payload if spec else None


# --- the registry -----------------------------------------------------------------------------

_by_resource: dict[str, type[Mechanism]] = {}
_by_model: dict[type, type[Mechanism]] = {}

REQUIRED = ("code", "model", "reference_code", "resource", "serializers", "create", "may_create")


class DeclarationError(Exception):
    pass


def register(declaration: type[Mechanism]) -> type[Mechanism]:
    """Register a declaration (a class decorator). Registering the same one again is a no-op."""
    missing = [name for name in REQUIRED if not hasattr(declaration, name)]
    if missing:
        raise DeclarationError(f"{declaration.__name__} does not declare {', '.join(missing)}")
    other = _by_resource.get(declaration.resource)
    if other is not None and other is not declaration and other.__qualname__ != declaration.__qualname__:
        raise DeclarationError(f"resource {declaration.resource!r} is declared by {other.__name__} already")
    _by_resource[declaration.resource] = declaration
    _by_model[declaration.model] = declaration
    declaration.model.declaration = declaration
    for callback in _on_register:
        callback(declaration)
    return declaration


_on_register: list[Callable[[type[Mechanism]], None]] = []


def each_registered(callback: Callable[[type[Mechanism]], None]) -> None:
    """Call `callback` with every declaration registered so far and with each registered later.
    For what must follow the registry from a module imported before the mechanisms' apps are
    ready (the admin: django.contrib.admin discovers admin modules first)."""
    _on_register.append(callback)
    for declaration in list(_by_resource.values()):
        callback(declaration)


def registered() -> list[type[Mechanism]]:
    """Every declaration, in the order of INSTALLED_APPS (the order pages list them in)."""
    from django.apps import apps

    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_by_resource.values(), key=lambda d: (order.get(d.model._meta.app_label, 1_000), d.resource))


def models() -> list[type]:
    return [declaration.model for declaration in registered()]


def for_model(model) -> type[Mechanism]:
    try:
        return _by_model[model if isinstance(model, type) else type(model)]
    except KeyError:
        raise LookupError(f"{model} is not a registered mechanism's case model") from None


def for_resource(resource: str) -> type[Mechanism] | None:
    return _by_resource.get(resource)


# --- start-up checks ----------------------------------------------------------------------------


def _importable(value) -> bool:
    if isinstance(value, str):
        module, _dot, name = value.rpartition(".")
        try:
            return hasattr(importlib.import_module(module), name) or bool(importlib.import_module(value))
        except ImportError:
            return False
    return callable(value)


@dataclass
class _Findings:
    errors: list = field(default_factory=list)

    def add(self, declaration, message: str, id_: str) -> None:
        self.errors.append(checks.Error(message, obj=declaration, id=f"mechanisms.{id_}"))


@checks.register()
def check_declarations(app_configs=None, **kwargs) -> list:
    """The registry's start-up check: every registered declaration is sound
    (`declaration_errors`) and every concrete case model is registered."""
    from django.apps import apps

    from coordination.models import Case

    errors = [error for declaration in registered() for error in declaration_errors(declaration)]
    for model in apps.get_models():
        if issubclass(model, Case) and model not in _by_model:
            errors.append(
                checks.Error(
                    f"{model._meta.label} is a case model no mechanism declaration registers",
                    hint="Register it with @mechanisms.register in its package's mechanism.py.",
                    obj=model,
                    id="mechanisms.E010",
                )
            )
    return errors


def declaration_errors(declaration) -> list:
    """What is wrong with one declaration: its catalogue rows exist and their pattern is the
    model's; its serializers, service and payloads are importable; every payload names a
    transition the model declares; its region and personal fields are the model's fields."""
    from coordination.models import Case
    from coordination.reference_data import MECHANISMS
    from coordination.workflow.transitions import declared_transitions

    catalogue = {row[0]: (row[3], row[4]) for row in MECHANISMS}
    found = _Findings()
    model = declaration.model
    if not (isinstance(model, type) and issubclass(model, Case) and not model._meta.abstract):
        found.add(declaration, f"{declaration.__name__}.model is not a concrete case model", "E001")
        return found.errors
    for code in declaration.all_codes():
        if code not in catalogue:
            found.add(declaration, f"{code} is not in the mechanism catalogue", "E002")
        elif getattr(model, "pattern", None) not in catalogue[code]:
            found.add(
                declaration,
                f"{model.__name__} follows pattern {getattr(model, 'pattern', None)!r}; "
                f"the catalogue's {code} is {catalogue[code][0]!r}",
                "E003",
            )
        if isinstance(declaration.reference_code, dict) and code not in declaration.reference_code:
            found.add(declaration, f"no reference code for {code}", "E004")
    for role in ("row", "detail", "create"):
        value = getattr(declaration.serializers, role)
        if value is not None and not _importable(value):
            found.add(declaration, f"serializer {role} is not importable: {value!r}", "E005")
    if not callable(declaration.create):
        found.add(declaration, "create is not a service function", "E006")
    if not isinstance(declaration.may_create, Rule):
        found.add(declaration, "may_create is not a rule (member(...) | member(...))", "E007")
    transitions = declared_transitions(model)
    for name, payload in declaration.payloads.items():
        if name not in transitions:
            found.add(declaration, f"payload for {name!r}: {model.__name__} declares no such transition", "E008")
        if not _importable(payload):
            found.add(declaration, f"payload for {name!r} is not importable", "E005")
    for name in declaration.page_actions:
        if name not in transitions:
            found.add(declaration, f"page action {name!r}: {model.__name__} declares no such transition", "E011")
    if declaration.page_actions and not (declaration.case_panel and callable(declaration.page_payload)):
        found.add(declaration, "page_actions need a case_panel that renders them and a page_payload", "E012")
    if declaration.case_panel and not callable(declaration.case_context):
        found.add(declaration, "case_panel needs its case_context", "E012")
    personal = declaration.personal
    for name in (*declaration.region_fields, *((*personal.encrypted, *personal.hidden) if personal else ())):
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            found.add(declaration, f"{name!r} is not a field of {model.__name__}", "E009")
    return found.errors
