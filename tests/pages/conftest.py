"""Fixtures of the page tests: measure notices issued through the service."""

import pytest


@pytest.fixture
def make_notice(demo):
    """`make_notice(by="js-liaison", **fields)`: a major-measure notice to the default addressees."""
    from django.utils import timezone

    from coordination.mechanisms.measure_notices.services import measure_notice_issue

    def make(by="js-liaison", **fields):
        fields.setdefault("mechanism", "M3")
        fields.setdefault("category", "traffic_control")
        fields.setdefault("title", "苏沪省界道口实行通行登记")
        fields.setdefault("summary", "自即日起苏沪省界道口对货车实行通行登记。")
        fields.setdefault("body", "各有关单位：自即日起……")
        fields.setdefault("effective_from", timezone.localdate())
        return measure_notice_issue(by=demo.user(by), **fields)

    return make


def fire(case, name, by, **data):
    from coordination.workflow.engine import transition_fire

    return transition_fire(type(case), case.pk, name, by=by, data=data)
