"""Who sees a case, and what they may do with it.

Participation grants object permissions (django-guardian, direct-foreign-key tables) to the
organisation's group; leaving revokes them. Lists filter by the participant relationship
(an `Exists`), never by per-object permission rows. Leaders and the Regional Cooperation
Office see cases through the explicit rules of `visibility_filter`, not superuser shortcuts.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model

from coordination.models import Membership, Organisation, Participant
from coordination.workflow.bulk import rows_insert

# What each participant role may do on a case: codename prefixes of Case's permissions.
ROLE_PERMISSIONS = {
    Participant.Role.ORIGINATOR: ("view", "originate"),
    Participant.Role.ADDRESSEE: ("view", "respond"),
    Participant.Role.RESPONDER: ("view", "respond"),
    Participant.Role.REVIEWER: ("view", "review"),
    Participant.Role.OBSERVER: ("view",),
}


def codename(case_or_model, action: str) -> str:
    return f"{action}_{case_or_model._meta.model_name}"


def role_codenames(model, role: str) -> set[str]:
    return {codename(model, action) for action in ROLE_PERMISSIONS[role]}


def sync_group_permissions(case, organisation: Organisation) -> None:
    """Make the organisation's object permissions on the case match its roles in it."""
    roles = set(
        Participant.objects.filter(
            content_type=ContentType.objects.get_for_model(case), object_id=case.pk, organisation=organisation
        ).values_list("role", flat=True)
    )
    wanted = set().union(*(role_codenames(case, role) for role in roles)) if roles else set()
    held = set(group_case_permissions(organisation.group_id, case))
    label = case._meta.app_label
    for perm in wanted - held:
        assign_perm(f"{label}.{perm}", organisation.group, case)
    for perm in held - wanted:
        remove_perm(f"{label}.{perm}", organisation.group, case)


def grant_role_permissions(case, group_roles: list[tuple[int, str]]) -> None:
    """Grant each group its role's permissions on a case that has none yet, in one insert."""
    grant_role_permissions_many(type(case), [(case, group_roles)])


def grant_role_permissions_many(model, grants: list[tuple[object, list[tuple[int, str]]]]) -> None:
    """`grant_role_permissions` for many new cases of one model: (case, [(group id, role)]) each,
    one query for the permission ids and one insert for all the rows (new cases hold none, so
    none can conflict)."""
    perms_model = get_group_obj_perms_model(model)
    wanted = [
        (case.pk, sorted({(group_id, name) for group_id, role in group_roles for name in role_codenames(model, role)}))
        for case, group_roles in grants
    ]
    codenames = {name for _case, pairs in wanted for _group, name in pairs}
    if not codenames:
        return
    ids = dict(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(model), codename__in=codenames
        ).values_list("codename", "pk")
    )
    rows_insert(
        perms_model,
        ("group_id", "permission_id", "content_object_id"),
        ((group_id, ids[name], case_pk) for case_pk, pairs in wanted for group_id, name in pairs),
    )


def group_case_permissions(group_id: int, case) -> list[str]:
    model = get_group_obj_perms_model(case)
    return list(
        model.objects.filter(group_id=group_id, content_object_id=case.pk).values_list(
            "permission__codename", flat=True
        )
    )


def membership_of(user) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def case_perms(user, case) -> set[str]:
    """The action names (view, originate, respond, review) the user may use on the case:
    one query, cached on the case instance for the request."""
    cache = case.__dict__.setdefault("_perm_cache", {})
    if user.pk not in cache:
        membership = membership_of(user)
        if membership is None:
            cache[user.pk] = set()
        else:
            suffix = f"_{case._meta.model_name}"
            held = group_case_permissions(membership.organisation.group_id, case)
            cache[user.pk] = {name.removesuffix(suffix) for name in held}
    return cache[user.pk]


def requires(action: str):
    """A django-fsm permission: the user's organisation holds `action` on the case."""

    def check(case, user) -> bool:
        return action in case_perms(user, case)

    check.action = action
    return check


def _is_office(membership: Membership) -> bool:
    return membership.organisation.kind == Organisation.Kind.COOPERATION_OFFICE


def _is_regional_leader(membership: Membership) -> bool:
    return (
        membership.role == Membership.Role.LEADER
        and membership.organisation.kind == Organisation.Kind.LEADING_GROUP
        and membership.organisation.region_id is not None
    )


def visibility_filter(user, model) -> Q:
    """The Q a case queryset of `model` is filtered by for the user. The rules:

    - an organisation sees the cases it participates in;
    - the Regional Cooperation Office sees every case;
    - a regional leading group's leader sees every case its region takes part in;
    - anybody else sees nothing.

    A mechanism may narrow them (its declaration's `visible_to_rule_viewers` and
    `visible_participant_roles`): then the Office and leaders see only what they participate
    in, in one of those roles.
    """
    from coordination.workflow import mechanisms

    membership = membership_of(user)
    if membership is None:
        return Q(pk__in=[])
    declaration = mechanisms.for_model(model)
    by_rule = declaration.visible_to_rule_viewers
    if by_rule and _is_office(membership):
        return Q()
    participants = Participant.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    if declaration.visible_participant_roles is not None:
        participants = participants.filter(role__in=declaration.visible_participant_roles)
    if by_rule and _is_regional_leader(membership):
        return Q(Exists(participants.filter(organisation__region_id=membership.organisation.region_id)))
    return Q(Exists(participants.filter(organisation_id=membership.organisation_id)))


def visible_cases(user, model):
    return model.objects.filter(visibility_filter(user, model))


def visible_cases_by_guardian(user, model):
    """The same question answered by guardian's direct permission rows (the benchmark's rival
    of `visible_cases`; a test proves the two agree for participants)."""
    membership = membership_of(user)
    if membership is None:
        return model.objects.none()
    perms = get_group_obj_perms_model(model).objects.filter(
        group_id=membership.organisation.group_id,
        content_object_id=OuterRef("pk"),
        permission__codename=codename(model, "view"),
    )
    return model.objects.filter(Exists(perms))


def case_for_user(user, model, pk, *, action: str = "view", lock: bool = False):
    """The one access helper: the case if the user may `action` it. Invisible → 404
    (existence is not leaked), visible but not allowed → 403."""
    queryset = visible_cases(user, model)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        case = queryset.select_related("mechanism", "originator").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and action not in case_perms(user, case):
        raise PermissionDenied
    return case
