"""The registry itself: every case model is registered, every declaration passes the start-up
checks and has a demo, and the oracle's role table is the platform's."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from coordination.models import Case
from coordination.workflow import access, mechanisms
from tests.conformance import oracle


def test_every_concrete_case_model_is_registered():
    case_models = {m for m in apps.get_models() if issubclass(m, Case) and not m._meta.abstract}
    registered = {d.model for d in mechanisms.registered()}
    assert case_models - registered == set(), "case models no mechanism declaration registers"
    assert registered <= case_models


def test_the_declarations_pass_the_start_up_checks():
    assert mechanisms.check_declarations() == []


def test_every_declaration_has_a_demo_and_a_resource_of_its_own():
    declarations = mechanisms.registered()
    assert [d for d in declarations if not callable(d.demo)] == []
    assert len({d.resource for d in declarations}) == len(declarations)


def test_the_oracles_role_table_is_the_platforms():
    platform = {role: frozenset(actions) for role, actions in access.ROLE_PERMISSIONS.items()}
    assert platform == oracle.ROLE_ACTIONS


@pytest.mark.parametrize("resource", [d.resource for d in mechanisms.registered()])
def test_every_mechanism_has_its_read_only_admin(world, resource):
    from django.test import Client

    declaration = mechanisms.for_resource(resource)
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    meta = declaration.model._meta
    changelist = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert all(snap.reference in html for snap in world.cases[resource])
    assert client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/").status_code == 403
