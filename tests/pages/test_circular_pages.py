"""The circulars' pages: a signer's queue, a draft's page with its steps, drafting by form,
and the header's link with the count of drafts awaiting the user's sign-off."""

import pytest

from notices.circulars.services import circular_draft_create, circular_submit
from notices.models import Circular


@pytest.fixture
def submitted(demo):
    circular = circular_draft_create(
        by=demo.user("sh-liaison"),
        title="关于做好来沪货运车辆驾驶人员健康管理服务保障的通知",
        body="一、查验后即予通行。",
        addressees=[demo.org("js-liaison")],
    )
    return circular_submit(by=demo.user("sh-liaison"), circular_id=circular.pk)


def test_the_head_sees_the_draft_in_the_queue_and_signs_it_off_from_its_page(client, demo, submitted, monkeypatch):
    from notices.circulars import tasks

    monkeypatch.setattr(tasks.render_circular, "apply_async", lambda *args, **kwargs: None)
    client.force_login(demo.user("sh-head"))
    home = client.get("/").content.decode()
    assert 'href="/circulars/"' in home and 'aria-label="' in home
    queue = client.get("/circulars/").content.decode()
    assert "关于做好来沪货运车辆驾驶人员健康管理服务保障的通知" in queue
    page = client.get(f"/circulars/{submitted.pk}/").content.decode()
    assert f"/circulars/{submitted.pk}/sign_off/" in page and f"/circulars/{submitted.pk}/return/" in page
    response = client.post(f"/circulars/{submitted.pk}/sign_off/", {"comment": "同意。"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Circular.Status.RENDERING and submitted.document_number.startswith("沪联防〔")


def test_the_drafter_cannot_sign_off_and_is_told_why(client, demo, submitted):
    client.force_login(demo.user("sh-liaison"))
    page = client.get(f"/circulars/{submitted.pk}/").content.decode()
    assert f"/circulars/{submitted.pk}/sign_off/" not in page
    client.post(f"/circulars/{submitted.pk}/sign_off/")
    submitted.refresh_from_db()
    assert submitted.status == Circular.Status.AWAITING_SIGN_OFF


@pytest.mark.parametrize("username", ["js-liaison", "js-head", "yrd-leader", "wuxi-hospital"])
def test_outside_the_issuing_organisation_a_draft_is_404(client, demo, submitted, username):
    client.force_login(demo.user(username))
    for url in (f"/circulars/{submitted.pk}/", f"/circulars/{submitted.pk}/preview.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/circulars/{submitted.pk}/sign_off/").status_code == 404
    assert "关于做好来沪货运车辆驾驶人员健康管理服务保障的通知" not in client.get("/circulars/").content.decode()


def test_an_officer_drafts_a_circular_by_form_and_nothing_typed_is_lost_on_error(client, demo):
    client.force_login(demo.user("js-liaison"))
    assert client.get("/circulars/new/").status_code == 200
    bad = client.post("/circulars/new/", {"title": "关于互认的通知", "body": "正文。"})
    assert bad.status_code == 422 and "关于互认的通知" in bad.content.decode()
    good = client.post(
        "/circulars/new/", {"title": "关于互认的通知", "body": "正文。", "addressees": [demo.org("sh-liaison").pk]}
    )
    circular = Circular.objects.get(title="关于互认的通知")
    assert good.status_code == 302 and good["Location"] == f"/circulars/{circular.pk}/"
    assert circular.status == Circular.Status.DRAFT


def test_a_hospital_cannot_draft(client, demo):
    client.force_login(demo.user("wuxi-hospital"))
    assert client.get("/circulars/new/").status_code == 403
