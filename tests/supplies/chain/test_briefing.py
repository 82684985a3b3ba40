"""The briefing's F2 panel: open requests per region (filed and to answer), the employees whose
production waits on them, and the replies — aggregates only."""

from coordination.briefing import BriefingScope
from supplies.chain.briefing import supply_chain_figures
from tests.supplies.chain.conftest import reply_body

ALL = ("310000", "320000", "330000", "340000")


def rows_by_region(scope_codes) -> dict:
    return {row[0]: row[1:] for row in supply_chain_figures(BriefingScope(region_codes=scope_codes))["rows"]}


def test_open_requests_employees_affected_and_replies_are_counted_per_region(file_request, fire):
    to_suzhou = file_request(supplier_city="320500", employees_affected=860)
    to_yangzhou = file_request(supplier_city="321000", employees_affected=40)
    from_zhejiang = file_request(by="zj-liaison", supplier_city="340100", employees_affected=320)
    fire("suzhou-liaison", to_suzhou["id"], "reply", reply_body())
    fire("sh-liaison", to_suzhou["id"], "close")  # finished: no longer open, still replied
    fire("sh-liaison", to_yangzhou["id"], "withdraw", {"reason": "已自行解决"})
    fire("ah-liaison", from_zhejiang["id"], "accept")
    # Region: [open filed, employees affected (open), open to answer, replied]
    assert rows_by_region(ALL) == {
        "上海市": [0, 0, 0, 0],
        "江苏省": [0, 0, 0, 1],
        "浙江省": [1, 320, 0, 0],
        "安徽省": [0, 0, 1, 0],
    }
    figures = supply_chain_figures(BriefingScope(region_codes=ALL))
    assert (figures["open"], figures["employees_affected"], figures["replied"]) == (1, 320, 1)


def test_a_replied_request_waiting_for_confirmation_is_open_and_replied(file_request, fire):
    case = file_request(supplier_city="320500", employees_affected=100)
    fire("suzhou-liaison", case["id"], "reply", reply_body())
    assert rows_by_region(ALL)["上海市"] == [1, 100, 0, 0]
    assert rows_by_region(ALL)["江苏省"] == [0, 0, 1, 1]


def test_a_regional_leader_sees_their_regions_row_only(file_request):
    file_request(supplier_city="320500", employees_affected=860)
    file_request(by="zj-liaison", supplier_city="340100", employees_affected=320)
    assert rows_by_region(("320000",)) == {"江苏省": [0, 0, 1, 0]}
    assert rows_by_region(("330000",)) == {"浙江省": [1, 320, 0, 0]}


def test_nothing_to_report_without_requests(demo):
    figures = supply_chain_figures(BriefingScope(region_codes=ALL))
    assert figures["rows"] == [] and figures["chart"] is None and figures["employees_affected"] == 0


def test_the_panel_is_on_the_briefing_with_its_headline_and_no_names(client, demo, file_request):
    file_request(supplier_city="320500", employees_affected=860)
    client.force_login(demo.user("yrd-leader"))
    body = client.get("/api/v1/briefing/").json()
    panel = next(p for p in body["panels"] if p["key"] == "supply_chain")
    assert panel["data"]["employees_affected"] == 860
    assert "上海嘉定某汽车零部件有限公司" not in str(body) and "王经理" not in str(body)
    page = client.get("/briefing/").content.decode()
    assert 'id="panel-supply_chain"' in page and 'data-stat="supply_chain_employees"' in page
