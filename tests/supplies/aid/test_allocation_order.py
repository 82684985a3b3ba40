"""The allocation order (调拨单) as an official document, read back from its signed PDF: its
number (gap-free per requesting office and year), parties, lines and shipments; the issuer's
signature; the one verification finding it; and the download only for the request's
participants."""

import re
import subprocess
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from coordination import documents, verification
from coordination.trust.verify import verify_pdf
from supplies.documents import (
    TEMPLATE,
    allocation_order_context,
    allocation_order_record,
    allocation_order_render,
    download_path,
)
from supplies.models import AllocationOrder, ProductionCapacity
from supplies.tasks import allocation_orders_render

ZHEJIANG_FACTORY = "蓝天防护用品公司"


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text with the white space dropped (table cells break lines where they like)."""
    path = tmp_path / "order.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


PAGE_HEIGHT = 841.89
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def words(path):
    html = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in WORD.findall(html)]


def stored_pdf(order: AllocationOrder) -> bytes:
    return bytes(AllocationOrder.objects.values_list("pdf", flat=True).get(pk=order.pk))


def _pledge_ids(aid, case_id):
    detail = aid.get("js-liaison", case_id)
    return {(p["organisation"]["code"], p["line"]): p["id"] for p in detail["pledges"]}


@pytest.fixture
def allocate(aid):
    """`allocate()`: Jiangsu asks for masks and suits; Zhejiang pledges masks from stock and
    suits from a factory's capacity, Anhui masks from stock; Jiangsu allocates them all."""
    factory = ProductionCapacity.objects.create(
        region_id="330000",
        item=aid.stock.item("suit-protective"),
        enterprise=ZHEJIANG_FACTORY,
        daily_capacity=10000,
        valid_from=timezone.localdate() - timedelta(days=30),
    )

    def allocate(by="js-liaison"):
        case = aid.create(by=by)
        ready_on = timezone.localdate() + timedelta(days=2)
        aid.fire(
            "zj-liaison",
            case["id"],
            "pledge",
            {
                "lines": [
                    {"line": 1, "quantity": 4321, "warehouse": "zj-medical-reserve"},
                    {"line": 2, "quantity": 765, "capacity": factory.pk, "ready_on": ready_on.isoformat()},
                ]
            },
        )
        aid.fire(
            "ah-liaison",
            case["id"],
            "pledge",
            {"lines": [{"line": 1, "quantity": 2345, "warehouse": "ah-emergency-reserve"}]},
        )
        pledges = _pledge_ids(aid, case["id"])
        aid.fire(
            "js-liaison",
            case["id"],
            "allocate",
            {
                "accept": [
                    {"pledge": pledges["zj-liaison", 1], "quantity": 4321},
                    {"pledge": pledges["zj-liaison", 2], "quantity": 765},
                    {"pledge": pledges["ah-liaison", 1], "quantity": 1234},
                ]
            },
        )
        orders = {
            o.supplier.code: o for o in AllocationOrder.objects.filter(request_id=case["id"]).select_related("supplier")
        }
        return case, orders, ready_on

    return allocate


def test_the_order_prints_its_number_parties_lines_and_delivery(aid, allocate, tmp_path):
    case, orders, ready_on = allocate()
    order = orders["zj-liaison"]
    allocation_order_render(order.pk)
    order.refresh_from_db()
    assert order.pdf_sha256 and order.signing_key_id
    text = pdf_text(stored_pdf(order), tmp_path)
    assert "长三角重要防疫物资调拨单" in text
    assert order.document_number in text and order.document_number.startswith("苏联防调〔")
    assert "江苏省长三角联防联控联络办公室" in text and "浙江省长三角联防联控联络办公室" in text
    assert case["reference"] in text
    # The lines: masks from the warehouse, suits from the factory with their ready date.
    assert "医用防护口罩" in text and "4321" in text and "GB19083" in text
    assert "765" in text and ZHEJIANG_FACTORY in text
    assert f"{ready_on.year}年{ready_on.month}月{ready_on.day}日" in text
    assert aid.stock.warehouse("zj-medical-reserve").name in text
    assert "1234" not in text and "2345" not in text  # Anhui's masks are on Anhui's order
    # To: the delivery address, the receiving warehouse, the day needed; the phone masked only.
    assert "江苏省南京市江宁区应急物资储备库" in text
    assert aid.stock.warehouse("js-emergency-reserve").name in text
    needed = timezone.localdate() + timedelta(days=3)
    assert f"{needed.year}年{needed.month}月{needed.day}日" in text
    assert "139****5678" in text and "13912345678" not in text
    # The verification code printed at the foot.
    assert verification.normalise(order.verification_code) in text.replace("-", "")


def test_rendering_an_order_stored_already_changes_nothing(allocate):
    _case, orders, _ready_on = allocate()
    order = orders["ah-liaison"]
    allocation_orders_render.apply(args=([order.pk],))  # the queued task, run here
    first = stored_pdf(order)
    assert first.startswith(b"%PDF-")
    assert allocation_order_render(order.pk) is None
    allocation_orders_render.apply(args=([order.pk],))
    assert stored_pdf(order) == first


def test_the_shipments_so_far_are_on_the_order_with_masked_phones(aid, allocate, tmp_path):
    case, orders, _ready_on = allocate()
    order = orders["ah-liaison"]
    pledges = _pledge_ids(aid, case["id"])
    aid.fire(
        "ah-liaison",
        case["id"],
        "dispatch",
        {
            "allocation": order.document_number,
            "vehicle_plate": "皖A88888",
            "driver_name": "张师傅",
            "driver_phone": "13700001111",
            "expected_arrival": (timezone.now() + timedelta(hours=6)).isoformat(),
            "lines": [{"pledge": pledges["ah-liaison", 1], "quantity": 1234}],
        },
    )
    allocation_order_render(order.pk)
    text = pdf_text(stored_pdf(order), tmp_path)
    assert "皖A88888" in text and "137****1111" in text and "13700001111" not in text


def test_numbers_run_without_gaps_per_issuer_and_year_across_requests(aid, allocate):
    _first, first_orders, _ready_on = allocate()
    _second, second_orders, _ready_on = allocate()
    year = timezone.localdate().year
    numbers = sorted((o.serial, o.document_number) for o in [*first_orders.values(), *second_orders.values()])
    assert numbers == [(n, f"苏联防调〔{year}〕{n}号") for n in (1, 2, 3, 4)]
    assert {o.issuer.code for o in AllocationOrder.objects.all()} == {"js-liaison"}


def test_another_office_numbers_its_own_orders_from_one(aid, allocate):
    allocate()
    case = aid.create(by="zj-liaison", lines=[{"item": "mask-n95", "quantity": 1000}])
    aid.fire(
        "ah-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 1000, "warehouse": "ah-emergency-reserve"}]},
    )
    detail = aid.get("zj-liaison", case["id"])
    [pledge] = detail["pledges"]
    aid.fire("zj-liaison", case["id"], "allocate", {"accept": [{"pledge": pledge["id"], "quantity": 1000}]})
    [order] = AllocationOrder.objects.filter(request_id=case["id"])
    assert order.document_number == f"浙联防调〔{timezone.localdate().year}〕1号"


def test_the_signature_is_the_issuers_and_the_pdf_is_intact(allocate):
    _case, orders, _ready_on = allocate()
    order = orders["zj-liaison"]
    allocation_order_render(order.pk)
    order.refresh_from_db()
    checked = verify_pdf(stored_pdf(order))
    assert checked.signed and checked.intact and checked.trusted, checked.problems
    assert checked.organisation_name == "江苏省长三角联防联控联络办公室"
    assert checked.kid == order.signing_key_id
    assert checked.document_sha256 == order.pdf_sha256


def test_the_verification_page_finds_the_order_by_its_code_and_by_its_pdf(client, allocate):
    _case, orders, _ready_on = allocate()
    order = orders["zj-liaison"]
    allocation_order_render(order.pk)
    order.refresh_from_db()
    page = client.get(f"/documents/verify/{order.verification_code}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert order.document_number in content and "江苏省长三角联防联控联络办公室" in content
    assert "13912345678" not in content and "139****5678" not in content  # no person on the record
    dashed = "-".join(order.verification_code[i : i + 4] for i in range(0, 12, 4))
    assert client.get(f"/documents/verify/{dashed.lower()}/").status_code == 200
    assert allocation_order_record(order.pdf_sha256, None).number == order.document_number
    assert download_path(order) not in content  # a stranger reads the record, not the document
    client.force_login(order.created_by)
    assert download_path(order) in client.get(f"/documents/verify/{order.verification_code}/").content.decode()


def test_an_order_not_rendered_yet_is_not_found(client, allocate):
    _case, orders, _ready_on = allocate()
    order = orders["zj-liaison"]
    assert client.get(f"/documents/verify/{order.verification_code}/").status_code == 404


def test_the_order_of_a_cancelled_request_is_reported_revoked(aid, allocate):
    case, orders, _ready_on = allocate()
    order = orders["zj-liaison"]
    allocation_order_render(order.pk)
    aid.fire("js-liaison", case["id"], "cancel", {"reason": "疫情缓解，需求撤销"})
    record = allocation_order_record(order.verification_code, None)
    assert record.status == "revoked" and record.revoked_at is not None
    assert record.download_url is None


def test_the_requester_and_the_supplier_download_it_and_an_uninvolved_region_gets_404(aid, allocate):
    _case, orders, _ready_on = allocate()
    order = orders["zj-liaison"]
    url = f"/api/v1/allocation-orders/{order.pk}/pdf/"
    assert aid.client("sh-liaison").get(url).status_code == 404
    for name in ("js-liaison", "zj-liaison"):  # rendered on the first download, then stored
        response = aid.client(name).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    order.refresh_from_db()
    assert response.content == stored_pdf(order) and response["ETag"] == f'"{order.pdf_sha256}"'
    assert aid.client("ah-liaison").get(url).status_code == 200  # a pledger of the same request sees it


def test_the_list_holds_the_orders_of_the_requests_the_user_sees(aid, allocate):
    _case, orders, _ready_on = allocate()
    listed = aid.client("zj-liaison").get("/api/v1/allocation-orders/").json()["results"]
    assert {o["document_number"] for o in listed} == {o.document_number for o in orders.values()}
    [zj] = [o for o in listed if o["supplier"]["code"] == "zj-liaison"]
    assert zj["pdf"].endswith(f"/api/v1/allocation-orders/{zj['id']}/pdf/")
    assert aid.client("sh-liaison").get("/api/v1/allocation-orders/").json()["results"] == []
    assert aid.client("sh-liaison").get(f"/api/v1/allocation-orders/{zj['id']}/").status_code == 404


def test_one_page_with_the_seal_square_over_the_issuer_and_the_date_clear_of_the_tables(allocate, tmp_path):
    _case, orders, _ready_on = allocate()
    # The widest code there is: the closing stays beside it, whatever the code.
    AllocationOrder.objects.filter(pk=orders["zj-liaison"].pk).update(verification_code="MWMWMWMWMWMW")
    order = AllocationOrder.objects.select_related("request__receiving_warehouse", "issuer", "supplier").get(
        pk=orders["zj-liaison"].pk
    )
    with translation.override("zh-hans"):
        rendered = documents.renderer().render_template(TEMPLATE, allocation_order_context(order))
    assert rendered.pages == 1
    [(page, (x0, y0, x1, y1))] = rendered.anchors
    assert page == 0 and 0 <= x0 < x1 <= 595.28 and 0 <= y0 < y1 <= PAGE_HEIGHT
    path = tmp_path / "order.pdf"
    path.write_bytes(rendered.pdf)
    found = words(path)
    issued = timezone.localdate(order.created_at)
    date = next(w for w in found if w[4] == f"{issued.year}年{issued.month}月{issued.day}日")
    name = max((w for w in found if w[4] == order.issuer.name_zh), key=lambda w: w[1])  # the closing's, not the mark
    # The date inside the square, the longer name across its middle (GB/T 9704-2012 7.3.5.1).
    assert x0 < date[0] and date[2] < x1 and PAGE_HEIGHT - y1 < date[1] and date[3] < PAGE_HEIGHT - y0
    assert (name[0] + name[2]) / 2 == pytest.approx((x0 + x1) / 2, abs=2)
    assert PAGE_HEIGHT - y1 < name[1] and name[3] < PAGE_HEIGHT - y0
    # Under the seal's square: the name and the date, nothing of the tables above.
    under = [w for w in found if w[0] < x1 and x0 < w[2] and w[1] < PAGE_HEIGHT - y0 and PAGE_HEIGHT - y1 < w[3]]
    assert sorted(under) == sorted([date, name])


def test_the_case_pages_documents_are_the_orders_with_their_download(aid, allocate, demo):
    case, orders, _ready_on = allocate()
    request = aid.model.objects.get(pk=case["id"])
    listed = {d["number"]: d["url"] for d in documents.documents_for(request, demo.user("zj-liaison"))}
    assert listed == {o.document_number: download_path(o) for o in orders.values()}


def test_the_list_costs_the_same_queries_for_two_orders_or_four(aid, allocate):
    allocate()
    client = aid.client("js-liaison")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/allocation-orders/").json()["results"]) == 2
    allocate()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/allocation-orders/").json()["results"]) == 4
    assert len(many) == len(few)
