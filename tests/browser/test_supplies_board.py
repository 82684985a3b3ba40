"""In real Chromium against the served platform: Zhejiang finds Anhui's ventilator request on
the shortage board, pledges from it (a wrong quantity first: the form comes back with the
error and what was typed), lands on the request's page, and Anhui's open page of the request
shows the pledge without a reload. Screenshots of the supplies pages go to test-artifacts/."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot

LINE = 'li.open-line[data-line^="AH-SUP-"][data-line$="-1"]'


def test_a_region_pledges_from_the_board_and_the_requester_sees_it_live(platform, sign_in):
    zhejiang = sign_in("zj-liaison")
    zhejiang.goto(f"{platform.url}/supplies/shortage/")
    expect(zhejiang.locator(".board-chart svg").first).to_be_visible()
    line = zhejiang.locator(LINE)
    expect(line.locator("form")).to_be_visible()
    request_path = line.locator("a.code, span.code").first
    reference = request_path.inner_text()
    screenshot(zhejiang, "supplies-board-zh")

    anhui = sign_in("ah-liaison")
    anhui.goto(f"{platform.url}/registers/supply-requests/")
    anhui.locator("table a.code", has_text=reference).click()
    anhui.wait_for_url(re.compile(r"/cases/supply-requests/\d+/$"))
    request_url = anhui.url
    anhui.evaluate("window.__notReloaded = true")

    # Ventilators are counted in whole units: 2.5 is refused, and the form keeps it.
    line.locator("input[name$='-quantity']").fill("2.5")
    line.locator("select[data-pledge-source]").select_option("warehouse:zj-medical-reserve")
    expect(line.locator("input[data-ready-on]")).to_be_disabled()  # stock is ready now
    line.locator("button[type=submit]").click()
    zhejiang.wait_for_url(re.compile(r"/supplies/shortage/"))
    line = zhejiang.locator(LINE)
    expect(line.locator(".error[role=alert]")).to_be_visible()
    expect(line.locator("input[name$='-quantity']")).to_have_value("2.5")
    expect(line.locator(".field-error").first).to_be_visible()
    screenshot(zhejiang, "supplies-board-refused-zh")

    line.locator("input[name$='-quantity']").fill("5")
    line.locator("button[type=submit]").click()
    zhejiang.wait_for_url(request_url)
    expect(zhejiang.locator("#sp-pledges")).to_be_visible()
    expect(zhejiang.locator("tr[id^=pledge-]", has_text="浙江省医药储备库")).to_be_visible()
    expect(zhejiang.locator("#form-withdraw_pledge")).to_be_visible()  # now a participant
    screenshot(zhejiang, "supplies-request-pledged-zh")

    # Anhui's page of the request shows the new pledge and lets it be allocated, unreloaded.
    expect(anhui.locator("tr[id^=pledge-]", has_text="浙江省医药储备库")).to_be_visible(timeout=20_000)
    expect(anhui.locator("#form-allocate")).to_be_visible()
    assert anhui.evaluate("window.__notReloaded") is True
    screenshot(anhui, "supplies-request-requester-zh")


def test_screenshots_of_the_flows_stock_and_warehouse_pages(platform, sign_in):
    page = sign_in("js-liaison")
    page.goto(f"{platform.url}/supplies/flows/")
    expect(page.locator("[data-flows-chart] svg")).to_be_visible()
    screenshot(page, "supplies-flows-zh")
    page.goto(f"{platform.url}/supplies/stock/")
    expect(page.locator("table")).to_be_visible()
    screenshot(page, "supplies-stock-zh")
    page.goto(f"{platform.url}/supplies/warehouses/js-emergency-reserve/")
    expect(page.locator("#w-movements")).to_be_visible()
    screenshot(page, "supplies-warehouse-zh")
    page.goto(f"{platform.url}/supplies/requests/new/")
    page.locator("[data-add-line]").click()
    expect(page.locator("[data-line-row]")).to_have_count(2)
    page.locator("select[name='lines-1-item']").select_option("suit-protective")
    expect(page.locator("[data-line-row]").nth(1).locator("[data-line-unit]")).not_to_be_empty()
    screenshot(page, "supplies-request-form-zh")
