"""Shared fixtures: API clients and the personas every permission test walks through.

Personas (STYLE.md §7): the *owner* (an officer of Jiangsu's liaison office), a *colleague*
in the same organisation, an *other-region* officer (Shanghai's liaison office) and an
*outsider* (a signed-in user who belongs to no organisation).
"""

from dataclasses import dataclass

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from coordination.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@dataclass
class Personas:
    owner: object
    colleague: object
    other_region: object
    outsider: object

    def as_dict(self):
        return {
            "owner": self.owner,
            "colleague": self.colleague,
            "other_region": self.other_region,
            "outsider": self.outsider,
        }


@pytest.fixture
def js_office(db):
    return OrganisationFactory(
        code="t-js-liaison",
        name_zh="江苏省测试联络办",
        name_en="Jiangsu test liaison office",
        kind=Organisation.Kind.LIAISON_OFFICE,
        region_id="320000",
        city_id="320100",
    )


@pytest.fixture
def sh_office(db):
    return OrganisationFactory(
        code="t-sh-liaison",
        name_zh="上海市测试联络办",
        name_en="Shanghai test liaison office",
        kind=Organisation.Kind.LIAISON_OFFICE,
        region_id="310000",
        city_id="310000",
    )


@pytest.fixture
def personas(js_office, sh_office):
    return Personas(
        owner=MembershipFactory(user__username="owner", organisation=js_office).user,
        colleague=MembershipFactory(user__username="colleague", organisation=js_office).user,
        other_region=MembershipFactory(user__username="other-region", organisation=sh_office).user,
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture(autouse=True)
def fresh_credential_trust():
    """Each test verifies credentials against its own database's keys (and looks health codes
    up in its own lists), not a previous test's kept for CREDENTIAL_TRUST_SECONDS."""
    from coordination.mechanisms.health_codes.lookups import forget_latest_lists
    from coordination.trust import credentials

    credentials._trust = None
    forget_latest_lists()
    yield
    credentials._trust = None
    forget_latest_lists()


@pytest.fixture(autouse=True)
def exact_briefings(settings):
    """A briefing never serves stale figures in tests (no worker refreshes them here): a stale
    snapshot is recomputed in the request. tests/pages/test_briefing_snapshots.py sets it back."""
    settings.BRIEFING_MAX_LAG_SECONDS = 0


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    """`api_as(user)`: an API client authenticated with the user's token."""

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2's real cost belongs in production, not in every test that creates a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo organisations and users of seed_demo (not its cases: tests make their own);
    `demo.user("js-liaison")`, `demo.org("sh-liaison")`."""
    from django.contrib.auth import get_user_model

    from coordination.demo import seed_organisations, seed_users

    seed_users(seed_organisations())

    class Demo:
        def user(self, username):
            return get_user_model().objects.select_related("membership__organisation").get(username=username)

        def org(self, code):
            return Organisation.objects.get(code=code)

    return Demo()


@pytest.fixture
def make_sheet(demo):
    """`make_sheet(by="js-liaison", to="sh-liaison", **fields)`: an assignment sheet via the service."""
    from coordination.mechanisms.assignment_sheets.services import assignment_sheet_create

    def make(by="js-liaison", to="sh-liaison", **fields):
        fields.setdefault("title", "请协助核查返沪货车司机健康状况")
        fields.setdefault("matter", "苏州至上海冷链货车司机3名，请核查其健康码及14天行程。")
        return assignment_sheet_create(by=demo.user(by), addressee=demo.org(to), **fields)

    return make
