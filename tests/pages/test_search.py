"""Search by reference, title, organisation and city, across every mechanism the user sees."""

from coordination.search import search_cases


def test_search_finds_by_reference_title_organisation_and_city(demo, make_sheet, make_notice):
    sheet = make_sheet(by="js-liaison", to="sh-liaison", title="冷链司机核查")
    notice = make_notice(by="js-liaison", title="省界道口通行登记")
    sh = demo.user("sh-liaison")

    def found(text):
        return {hit.case.reference for hit in search_cases(sh, text)[0]}

    assert found(sheet.reference) == {sheet.reference}
    assert found("冷链") == {sheet.reference}
    assert found("道口") == {notice.reference}
    assert found("江苏省") >= {sheet.reference, notice.reference}
    assert found("南京") >= {sheet.reference}  # the Jiangsu liaison office sits in Nanjing
    assert found("x") == set()


def test_search_never_shows_what_the_user_cannot_see(demo, make_sheet):
    sheet = make_sheet(by="zj-liaison", to="ah-liaison", title="浙皖物资调运")
    assert search_cases(demo.user("sh-liaison"), "物资调运")[0] == []
    assert [h.case.pk for h in search_cases(demo.user("ah-liaison"), "物资调运")[0]] == [sheet.pk]


def test_the_search_page_links_each_hit_to_its_case(client, demo, make_sheet):
    sheet = make_sheet()
    client.force_login(demo.user("sh-liaison"))
    page = client.get("/search/", {"q": sheet.reference}).content.decode()
    assert f"/cases/assignment-sheets/{sheet.pk}/" in page
    assert 'aria-invalid="true"' in client.get("/search/", {"q": "a"}).content.decode()
