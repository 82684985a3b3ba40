"""The hospital's list reads the originator column; it must equal the visibility rule."""

from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.mechanisms.insurance.selectors import filings_of_my_hospital, filings_visible


def test_my_filings_are_exactly_the_visible_filings_the_hospital_originated(demo):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    assert InsuranceFiling.objects.exists()
    for username in ["wuxi-hospital", "sh-insurance", "js-liaison"]:
        user = demo.user(username)
        mine = set(filings_of_my_hospital(user).values_list("pk", flat=True))
        visible = set(
            filings_visible(user).filter(originator_id=user.membership.organisation_id).values_list("pk", flat=True)
        )
        assert mine == visible
