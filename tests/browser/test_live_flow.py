"""In real Chromium against the served platform: a notice issued by Jiangsu arrives live at
Shanghai, is acknowledged, and Jiangsu sees the receipt change without reloading; the
leaders' dashboard draws its charts and updates when a case is escalated. Screenshots of the
main pages (zh and en) go to test-artifacts/."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

TITLE = "沪苏省界道口货车通行登记措施"


def test_a_notice_arrives_live_is_acknowledged_and_the_issuer_sees_the_receipt(platform, sign_in):
    shanghai = sign_in("sh-liaison")
    before = int(shanghai.locator("[data-work-count]").inner_text())
    shanghai.evaluate("window.__notReloaded = true")

    jiangsu = sign_in("js-liaison")
    jiangsu.goto(f"{platform.url}/measure-notices/new/")
    jiangsu.locator("button.primary[type=submit]").click()  # empty form: errors next to the fields
    expect(jiangsu.locator(".field.has-error").first).to_be_visible()
    jiangsu.select_option("#n-category", "traffic_control")
    jiangsu.fill("#n-title", TITLE)
    jiangsu.fill("#n-summary", "自即日起，沪苏省界道口对进沪货车实行通行登记。")
    jiangsu.fill("#n-body", "各有关单位：\n为做好疫情联防联控，自即日起对进沪货车实行通行登记，请予支持配合。")
    jiangsu.check("input[name=affected_regions][value='310000']")
    jiangsu.locator("button.primary[type=submit]").click()
    jiangsu.wait_for_url(re.compile(r"/cases/measure-notices/\d+/$"))
    case_url = jiangsu.url
    expect(jiangsu.locator("h1")).to_have_text(TITLE)
    jiangsu.evaluate("window.__notReloaded = true")

    # Shanghai: the toast and the live count, without a reload.
    expect(shanghai.locator("#live-notices .toast").first).to_be_visible(timeout=20_000)
    expect(shanghai.locator("[data-work-count]")).to_have_text(str(before + 1), timeout=20_000)
    expect(shanghai.locator(".work-title", has_text=TITLE)).to_be_visible()
    assert shanghai.evaluate("window.__notReloaded") is True
    screenshot(shanghai, "my-work-zh")

    shanghai.locator(".work-title", has_text=TITLE).click()
    shanghai.wait_for_url(case_url)
    screenshot(shanghai, "case-before-acknowledge-zh")
    shanghai.locator("form[action$='/transitions/acknowledge/'] button[type=submit]").click()
    shanghai.wait_for_url(case_url)

    # Jiangsu: Shanghai's receipt turns to acknowledged on the open page.
    row = jiangsu.locator("tr", has_text="上海市")
    expect(row.locator(".receipt-acknowledged")).to_be_visible(timeout=20_000)
    assert jiangsu.evaluate("window.__notReloaded") is True
    screenshot(jiangsu, "case-receipt-acknowledged-zh")


def test_the_leader_dashboard_draws_charts_and_shows_an_escalation_live(platform, sign_in):
    leader = sign_in("yrd-leader")
    leader.goto(f"{platform.url}/briefing/")
    expect(leader.locator("#panel-cases .chart svg").first).to_be_visible()
    expect(leader.locator("[data-stat=escalations] dd")).to_have_text("0")
    leader.evaluate("window.__notReloaded = true")
    screenshot(leader, "briefing-zh")

    # A notice's deadline passes and beat escalates it: the leader is told and the page updates.
    platform.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from coordination.mechanisms.measure_notices.models import MeasureNotice\n"
        "from coordination.workflow.deadlines import deadlines_check\n"
        "past = timezone.now() - timedelta(hours=3)\n"
        "MeasureNotice.objects.filter(state='issued').update(due_at=past, escalate_at=past)\n"
        "deadlines_check()\n"
    )
    expect(leader.locator("[data-stat=escalations] dd")).not_to_have_text("0", timeout=30_000)
    expect(leader.locator("[data-stat=overdue] dd")).not_to_have_text("0")
    assert leader.evaluate("window.__notReloaded") is True
    leader.locator("#panel-cases summary").click()
    expect(leader.locator("#panel-cases table")).to_be_visible()
    screenshot(leader, "briefing-escalated-zh")


def test_a_hospital_files_and_the_insuring_centre_approves_from_its_queue(platform, sign_in):
    from coordination.pii.idcard import with_check_character

    id_number = with_check_character("31010119750305123")  # a man born 1975-03-05, insured in Shanghai
    hospital = sign_in("wuxi-hospital")
    hospital.goto(f"{platform.url}/insurance/filings/new/")
    hospital.fill("#f-patient_name", "李四")
    hospital.fill("#f-id_number", id_number)
    hospital.select_option("#f-sex", "male")
    hospital.fill("#f-birth_date", "1975-03-05")
    hospital.select_option("#f-insurance_type", "employee")
    hospital.select_option("#f-insuring_city", "310000")
    hospital.select_option("#f-filing_type", "emergency")
    hospital.fill("#f-diagnosis", "U07.1")
    hospital.fill("#f-admission_date", (date.today() - timedelta(days=1)).isoformat())
    hospital.fill("#f-phone", "13800138000")
    hospital.locator("button.primary[type=submit]").click()
    hospital.wait_for_url(re.compile(r"/cases/insurance-filings/\d+/$"))
    reference = hospital.locator(".code").first.inner_text()
    assert id_number not in hospital.content()  # masked everywhere
    hospital.evaluate("window.__notReloaded = true")
    screenshot(hospital, "insurance-filed-zh")

    centre = sign_in("sh-insurance")
    centre.goto(f"{platform.url}/insurance/queue/")
    row = centre.locator("tr[data-row]", has_text=reference)
    expect(row).to_be_visible()
    screenshot(centre, "insurance-queue-zh")
    row.locator("button[type=submit]").click()
    expect(centre.locator("tr[data-row]", has_text=reference)).to_have_count(0, timeout=20_000)

    # The hospital's open page learns of the approval without a reload.
    expect(hospital.locator("#live-notices .toast").first).to_be_visible(timeout=20_000)
    expect(hospital.locator(".state-approved, .state", has_text="已批准").first).to_be_visible(timeout=20_000)
    assert hospital.evaluate("window.__notReloaded") is True
    screenshot(hospital, "insurance-approved-zh")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_screenshots_of_the_main_pages(platform, sign_in, lang):
    suffix = "zh" if lang == "zh-hans" else "en"
    page = sign_in("js-liaison", lang=lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    screenshot(page, f"home-{suffix}")
    page.goto(f"{platform.url}/registers/measure-notices/")
    expect(page.locator("table")).to_be_visible()
    screenshot(page, f"register-notices-{suffix}")
    page.goto(f"{platform.url}/registers/assignment-sheets/")
    screenshot(page, f"register-sheets-{suffix}")
    page.goto(f"{platform.url}/search/?q=江苏")
    screenshot(page, f"search-{suffix}")
    page.goto(f"{platform.url}/measure-notices/new/")
    screenshot(page, f"notice-form-{suffix}")
    page.goto(f"{platform.url}/inbox/")
    screenshot(page, f"inbox-{suffix}")
    link = page.goto(f"{platform.url}/registers/assignment-sheets/")
    assert link.ok
    page.locator("table a.code").first.click()
    screenshot(page, f"case-{suffix}")
    leader = sign_in("yrd-leader", lang=lang)
    leader.goto(f"{platform.url}/briefing/")
    expect(leader.locator("#panel-cases .chart svg").first).to_be_visible()
    screenshot(leader, f"briefing-{suffix}")
    leader.goto(f"{platform.url}/calendar/")  # the Office keeps the working-day calendar
    expect(leader.locator("table").first).to_be_visible()
    screenshot(leader, f"calendar-{suffix}")
    centre = sign_in("sh-insurance", lang=lang)
    centre.goto(f"{platform.url}/insurance/queue/")
    screenshot(centre, f"insurance-queue-{suffix}")
    phone = sign_in("sh-liaison", lang=lang, width=375, height=800)
    screenshot(phone, f"home-phone-{suffix}")
    phone.goto(f"{platform.url}/briefing/")
    login = sign_in("sh-leader", lang=lang, width=375, height=800)
    login.goto(f"{platform.url}/briefing/")
    screenshot(login, f"briefing-phone-{suffix}")
