"""The base layout (vendored htmx, skip link, language switch) and the notice form's errors."""

from pathlib import Path

from django.conf import settings

from coordination.mechanisms.measure_notices.models import MeasureNotice


def test_every_page_loads_the_vendored_htmx_and_keeps_the_notice_hooks(client, demo):
    client.force_login(demo.user("js-liaison"))
    page = client.get("/").content.decode()
    assert "/static/vendor/htmx-2.0.11.min.js" in page and "://unpkg" not in page and "cdn" not in page.lower()
    assert 'class="skip-link"' in page and "data-ws-notices" in page and "js/notices.js" in page
    assert 'lang="en">English</button>' in page and 'role="search"' in page
    assert (Path(settings.BASE_DIR) / "static/vendor/htmx-2.0.11.min.js").stat().st_size > 10_000


def test_the_briefing_link_shows_for_leaders_only(client, demo):
    client.force_login(demo.user("js-liaison"))
    assert 'href="/briefing/"' not in client.get("/").content.decode()
    client.force_login(demo.user("sh-leader"))
    assert 'href="/briefing/"' in client.get("/").content.decode()


def test_the_notice_form_keeps_what_was_typed_and_shows_errors_by_the_fields(client, demo):
    client.force_login(demo.user("js-liaison"))
    response = client.post(
        "/measure-notices/new/",
        {"mechanism": "M7", "category": "schools", "title": "学校延期", "summary": "", "body": "正文"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page
    assert 'value="学校延期"' in page and ">正文</textarea>" in page
    assert 'aria-describedby="n-summary-error"' in page and 'id="n-summary-error"' in page
    assert MeasureNotice.objects.count() == 0


def test_the_notice_form_issues_a_notice_to_the_chosen_addressees(client, demo):
    client.force_login(demo.user("js-liaison"))
    response = client.post(
        "/measure-notices/new/",
        {
            "mechanism": "M3",
            "category": "traffic_control",
            "title": "省界道口通行登记",
            "summary": "摘要",
            "body": "正文",
            "addressees": ["sh-liaison"],
            "affected_regions": ["310000"],
        },
    )
    notice = MeasureNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/measure-notices/{notice.pk}/"
    assert list(notice.participants.filter(role="addressee").values_list("organisation__code", flat=True)) == [
        "sh-liaison"
    ]


def test_only_issuers_may_open_the_notice_form(client, demo):
    client.force_login(demo.user("wuxi-hospital"))
    assert client.get("/measure-notices/new/").status_code == 403
