"""`seed_demo` creates the organisations and people of the 2020 story, and is idempotent."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coordination.demo import DEMO_PASSWORD, USERS
from coordination.models import Membership, Organisation


def snapshot():
    """Every row of every model, as values: what a second run must not change."""
    rows = {}
    for model in apps.get_models():
        rows[model._meta.label] = sorted(map(repr, model.objects.values()))
    return rows


def test_running_it_twice_leaves_the_same_rows(db):
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


def test_it_creates_the_demo_users_with_their_organisations(db):
    call_command("seed_demo", verbosity=0)
    User = get_user_model()
    for username, (org_code, role, _name) in USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert (user.membership.organisation.code, user.membership.role) == (org_code, role)
        assert user.groups.filter(pk=user.membership.organisation.group_id).exists()


def test_it_creates_every_kind_of_organisation_in_all_four_regions(db):
    call_command("seed_demo", verbosity=0)
    for kind in [
        Organisation.Kind.LIAISON_OFFICE,
        Organisation.Kind.INSURANCE_CENTRE,
        Organisation.Kind.TRANSPORT_DEPARTMENT,
        Organisation.Kind.LEADING_GROUP,
    ]:
        regions = set(Organisation.objects.filter(kind=kind).values_list("region_id", flat=True))
        assert regions == {"310000", "320000", "330000", "340000"}, kind
    assert Organisation.objects.get(kind=Organisation.Kind.COOPERATION_OFFICE).region is None
    wuxi = Organisation.objects.get(name_zh="无锡市人民医院")
    assert (wuxi.kind, wuxi.city_id) == (Organisation.Kind.HOSPITAL, "320200")
    hospital_cities = set(Organisation.objects.filter(kind="hospital").values_list("city_id", flat=True))
    assert {"320200", "310000", "330100", "340100", "340700"} <= hospital_cities


def test_moving_a_user_to_another_organisation_moves_their_group(db):
    call_command("seed_demo", verbosity=0)
    membership = Membership.objects.get(user__username="js-liaison")
    membership.organisation = Organisation.objects.get(code="zj-liaison")
    membership.save()
    groups = set(membership.user.groups.values_list("name", flat=True))
    assert groups == {"org:zj-liaison"}


def test_it_adds_assignment_sheets_of_early_2020_in_several_states(db):
    from coordination.mechanisms.assignment_sheets.models import AssignmentSheet

    call_command("seed_demo", verbosity=0)
    states = dict(AssignmentSheet.objects.values_list("originator__code", "state"))
    assert states == {
        "js-liaison": "closed",
        "sh-liaison": "accepted",
        "zj-liaison": "submitted",
        "ah-liaison": "returned",
        "yrd-office": "submitted",
    }
    call_command("verify_audit", verbosity=0)


def test_it_keeps_2020s_working_day_calendar_with_the_epidemic_extension(db):
    from datetime import date, datetime

    from django.utils import timezone

    from coordination.calendar.working_days import calendar_overrides, is_working_day, same_working_day_deadline

    call_command("seed_demo", verbosity=0)
    overrides = calendar_overrides(date(2020, 1, 1), date(2020, 12, 31))
    assert not is_working_day(date(2020, 2, 2), overrides)  # the extended Spring Festival
    assert not is_working_day(date(2020, 2, 1), overrides)  # its make-up Saturday was cancelled
    assert is_working_day(date(2020, 1, 19), overrides)  # a Sunday worked before the holiday
    # A filing received in Wuxi on 30 January 2020 is due at the end of the next working day.
    received = timezone.make_aware(datetime(2020, 1, 30, 10, 0))
    assert timezone.localtime(same_working_day_deadline(received)).date() == date(2020, 2, 3)
