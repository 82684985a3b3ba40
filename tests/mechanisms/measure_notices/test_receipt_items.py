"""Receipts are items with their own version: two addressees acknowledging the same notice at
the same moment both succeed (real threads on PostgreSQL); a stale receipt version is 412,
whatever the case's version; a page's form sends the receipt's version."""

import pytest
from django.db import connection

from coordination.errors import PreconditionFailed
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.mechanisms.measure_notices.services import measure_notice_issue
from coordination.models import AuditEntry, Receipt
from coordination.workflow.audit import audit_verify
from coordination.workflow.engine import transition_fire
from coordination.workflow.patterns.notice import receipt_of
from tests.concurrency import run_at_once


def issue(demo):
    from django.utils import timezone

    return measure_notice_issue(
        by=demo.user("js-liaison"),
        mechanism="M3",
        category="border_control",
        title="省际道口联合查验",
        summary="联合查验、结果互认。",
        body="……",
        effective_from=timezone.localdate(),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_addressees_acknowledging_at_once_both_succeed(demo):
    notice = issue(demo)
    versions = {name: receipt_of(notice, demo.user(name)).version for name in ("sh-liaison", "zj-liaison")}
    outcomes = _both(demo, notice, versions)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    acknowledged = Receipt.objects.filter(object_id=notice.pk, state="acknowledged")
    assert set(acknowledged.values_list("organisation__code", flat=True)) == {"sh-liaison", "zj-liaison"}
    assert AuditEntry.objects.filter(object_id=notice.pk, transition="acknowledge").count() == 2
    checked, broken = audit_verify()
    assert checked == AuditEntry.objects.count() and broken is None  # the circular's own chain too


def _both(demo, notice, versions):
    """Both addressees fire at the same moment, each with the version of its own receipt."""
    import itertools
    import threading

    names = itertools.cycle(["sh-liaison", "zj-liaison"])
    lock = threading.Lock()

    def work():
        with lock:
            name = next(names)
        return transition_fire(
            MeasureNotice, notice.pk, "acknowledge", by=demo.user(name), expected_version=versions[name]
        )

    return run_at_once(2, work)


@pytest.mark.django_db
def test_a_stale_receipt_version_is_refused_with_412_whatever_the_case_version(demo):
    notice = issue(demo)
    receipt = receipt_of(notice, demo.user("sh-liaison"))
    # The case moves on (another addressee answers) while the receipt stays as it was loaded:
    transition_fire(MeasureNotice, notice.pk, "acknowledge", by=demo.user("zj-liaison"))
    transition_fire(
        MeasureNotice, notice.pk, "acknowledge", by=demo.user("sh-liaison"), expected_version=receipt.version
    )
    # The notice is amended: every receipt starts again with a new version.
    notice = issue(demo)
    receipt = receipt_of(notice, demo.user("sh-liaison"))
    transition_fire(MeasureNotice, notice.pk, "amend", by=demo.user("js-liaison"), data={"summary": "新版"})
    with pytest.raises(PreconditionFailed) as refused:
        transition_fire(
            MeasureNotice, notice.pk, "acknowledge", by=demo.user("sh-liaison"), expected_version=receipt.version
        )
    assert refused.value.details == {"current_version": receipt.version + 1, "item": receipt.pk}


@pytest.mark.django_db
def test_the_case_page_form_of_an_item_action_carries_the_receipts_version(client, demo):
    notice = issue(demo)
    transition_fire(MeasureNotice, notice.pk, "acknowledge", by=demo.user("zj-liaison"))
    transition_fire(MeasureNotice, notice.pk, "acknowledge", by=demo.user("ah-liaison"))
    client.force_login(demo.user("sh-liaison"))
    page = client.get(f"/cases/measure-notices/{notice.pk}/").content.decode()
    receipt = receipt_of(notice, demo.user("sh-liaison"))  # read on opening: version 2
    assert receipt.version == 2
    notice.refresh_from_db()
    assert notice.version != receipt.version
    form = page[page.index("/transitions/acknowledge/") :]
    assert f'name="version" value="{receipt.version}"' in form[: form.index("</form>")]
    response = client.post(
        f"/cases/measure-notices/{notice.pk}/transitions/acknowledge/", {"version": receipt.version, "comment": "收到"}
    )
    assert response.status_code == 302
    assert receipt_of(notice, demo.user("sh-liaison")).state == "acknowledged"
