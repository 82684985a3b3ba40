"""Demo supplies of the 2020 story: the catalogue of key epidemic-prevention supplies with their
standards, one or two reserve warehouses per region (run on the platform by the region's liaison
office), their stock received through the ledger services (so every balance has its movements),
and the production capacity list of enterprises in the Delta. Idempotent: stock is received
only into balances that have none, rows are created only when missing.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from coordination.demo import USERS_BY_ORG
from coordination.models import Organisation
from supplies.models import (
    Category,
    ProductionCapacity,
    StockBalance,
    StockMovement,
    SupplyItem,
    SupplyRequest,
    Unit,
    Warehouse,
)
from supplies.services import stock_adjust, stock_receive

C, U = Category, Unit
# code: (name_zh, name_en, category, specification, standard, unit)
CATALOGUE = {
    "mask-n95": (
        "医用防护口罩（N95/KN95）",
        "Medical protective mask (N95/KN95)",
        C.RESPIRATORY,
        "折叠式，头戴式，非油性颗粒过滤效率≥95%",
        "GB 19083-2010",
        U.PIECE,
    ),
    "mask-surgical": (
        "医用外科口罩",
        "Surgical mask",
        C.RESPIRATORY,
        "平面耳挂式，细菌过滤效率≥95%",
        "YY 0469-2011",
        U.PIECE,
    ),
    "mask-medical": (
        "一次性使用医用口罩",
        "Single-use medical face mask",
        C.RESPIRATORY,
        "平面耳挂式",
        "YY/T 0969-2013",
        U.PIECE,
    ),
    "suit-protective": (
        "医用一次性防护服",
        "Disposable medical protective clothing",
        C.PROTECTIVE_CLOTHING,
        "连体式带帽，抗合成血液穿透≥2级",
        "GB 19082-2009",
        U.ITEM,
    ),
    "gown-isolation": (
        "隔离衣",
        "Isolation gown",
        C.PROTECTIVE_CLOTHING,
        "一次性，后开襟，长袖松紧袖口",
        "WS/T 311-2009",
        U.ITEM,
    ),
    "goggles": (
        "医用护目镜",
        "Medical goggles",
        C.EYE_AND_FACE,
        "间接通风，防雾",
        "GB 14866-2006",
        U.PAIR,
    ),
    "face-shield": (
        "防护面屏",
        "Face shield",
        C.EYE_AND_FACE,
        "全脸型，防雾，可重复消毒",
        "GB 14866-2006",
        U.PIECE,
    ),
    "gloves-examination": (
        "一次性使用医用橡胶检查手套",
        "Single-use medical rubber examination gloves",
        C.HAND,
        "无粉，M 号",
        "GB 10213-2006",
        U.PAIR,
    ),
    "gloves-surgical": (
        "一次性使用灭菌橡胶外科手套",
        "Single-use sterile rubber surgical gloves",
        C.HAND,
        "无粉，7 号",
        "GB 7543-2006",
        U.PAIR,
    ),
    "thermometer-infrared": (
        "红外体温计",
        "Infrared thermometer",
        C.DIAGNOSTICS,
        "额温/耳温，测量范围 32.0–42.9 ℃，误差 ±0.2 ℃",
        "GB/T 21417.1-2008",
        U.DEVICE,
    ),
    "test-kit-nucleic-acid": (
        "新型冠状病毒核酸检测试剂盒（荧光PCR法）",
        "SARS-CoV-2 nucleic-acid test kit (fluorescent PCR)",
        C.DIAGNOSTICS,
        "48 人份/盒，ORF1ab 和 N 基因双靶标",
        "YY/T 1182-2020",
        U.TEST,
    ),
    "ventilator-invasive": (
        "有创呼吸机",
        "Invasive ventilator",
        C.TREATMENT,
        "重症监护型，成人/儿童",
        "GB 9706.28-2006",
        U.DEVICE,
    ),
    "ventilator-transport": (
        "转运呼吸机",
        "Transport ventilator",
        C.TREATMENT,
        "急救和转运用，电动电控",
        "YY 0600.3-2007",
        U.DEVICE,
    ),
    "ecmo": (
        "体外膜肺氧合设备（ECMO）",
        "Extracorporeal membrane oxygenation system (ECMO)",
        C.TREATMENT,
        "离心泵驱动，含氧合器套包",
        "YY 0604-2016",
        U.DEVICE,
    ),
    "disinfectant-chlorine": (
        "含氯消毒液（84消毒液）",
        "Chlorine disinfectant (84 disinfectant)",
        C.DISINFECTION,
        "有效氯含量 5%",
        "GB/T 36758-2018",
        U.LITRE,
    ),
    "hand-rub": (
        "速干手消毒剂",
        "Alcohol-based hand rub",
        C.DISINFECTION,
        "乙醇含量 75%",
        "GB 27950-2011",
        U.LITRE,
    ),
    "ambulance-negative-pressure": (
        "负压救护车",
        "Negative-pressure ambulance",
        C.VEHICLES,
        "监护型，医疗舱负压 −10 至 −38 Pa",
        "QC/T 457-2013",
        U.VEHICLE,
    ),
}

# code: (name, liaison office running it, region, address)
WAREHOUSES = {
    "sh-medical-reserve": ("上海市医药储备库", "sh-liaison", "310000", "上海市闵行区莘庄工业区申旺路"),
    "sh-emergency-reserve": ("上海市应急物资储备库", "sh-liaison", "310000", "上海市宝山区罗店镇"),
    "js-emergency-reserve": ("江苏省应急物资储备库", "js-liaison", "320000", "江苏省南京市江宁区"),
    "js-medical-reserve-suzhou": ("江苏省医药储备库苏州分库", "js-liaison", "320000", "江苏省苏州市工业园区"),
    "zj-medical-reserve": ("浙江省医药储备库", "zj-liaison", "330000", "浙江省杭州市余杭区"),
    "ah-emergency-reserve": ("安徽省应急物资储备库", "ah-liaison", "340000", "安徽省合肥市肥东县"),
}

# warehouse: {item: quantity received}
STOCK = {
    "sh-medical-reserve": {
        "mask-n95": 180000,
        "mask-surgical": 1200000,
        "suit-protective": 42000,
        "goggles": 30000,
        "gloves-examination": 500000,
        "test-kit-nucleic-acid": 96000,
        "ventilator-invasive": 60,
        "ecmo": 6,
        "hand-rub": Decimal("8500.5"),
    },
    "sh-emergency-reserve": {
        "gown-isolation": 60000,
        "face-shield": 45000,
        "disinfectant-chlorine": 26000,
        "ambulance-negative-pressure": 12,
    },
    "js-emergency-reserve": {
        "mask-n95": 90000,
        "mask-medical": 2000000,
        "suit-protective": 18000,
        "thermometer-infrared": 15000,
        "disinfectant-chlorine": 40000,
    },
    "js-medical-reserve-suzhou": {
        "mask-surgical": 800000,
        "gloves-surgical": 120000,
        "ventilator-transport": 40,
        "test-kit-nucleic-acid": 48000,
    },
    "zj-medical-reserve": {
        "mask-n95": 120000,
        "mask-surgical": 1500000,
        "gown-isolation": 35000,
        "goggles": 20000,
        "ventilator-invasive": 45,
        "ecmo": 4,
        "hand-rub": 12000,
    },
    "ah-emergency-reserve": {
        "mask-n95": 30000,
        "mask-medical": 600000,
        "suit-protective": 6000,
        "thermometer-infrared": 8000,
        "disinfectant-chlorine": 18000,
        "ambulance-negative-pressure": 5,
    },
}
RECEIPT_REASON = "2020年2月储备物资入库"
# A stocktaking correction, to show an adjustment with its reason: (warehouse, item, change, reason).
ADJUSTMENTS = [("js-emergency-reserve", "mask-n95", -400, "盘点报损：外包装受潮，已隔离销毁")]

START = date(2020, 2, 1)
# (region, item, enterprise, daily capacity, committed per day)
CAPACITY = [
    ("310000", "mask-n95", "上海大胜卫生用品制造有限公司", 200000, 150000),
    ("310000", "mask-n95", "3M中国有限公司上海工厂", 300000, 260000),
    ("310000", "ambulance-negative-pressure", "上汽大通汽车有限公司", 30, 20),
    ("320000", "thermometer-infrared", "江苏鱼跃医疗设备股份有限公司", 25000, 18000),
    ("320000", "test-kit-nucleic-acid", "江苏硕世生物科技股份有限公司", 100000, 60000),
    ("320000", "suit-protective", "江苏阳光医疗用品有限公司", 15000, 12000),
    ("330000", "mask-surgical", "振德医疗用品股份有限公司", 1000000, 800000),
    ("330000", "gown-isolation", "振德医疗用品股份有限公司", 40000, 25000),
    ("330000", "test-kit-nucleic-acid", "杭州优思达生物技术有限公司", 50000, 30000),
    ("340000", "ambulance-negative-pressure", "安徽江淮汽车集团股份有限公司", 20, 15),
    ("340000", "mask-medical", "安徽淮北康利医疗用品有限公司", 300000, 200000),
]


def seed_catalogue() -> dict[str, SupplyItem]:
    items = {}
    for code, (name_zh, name_en, category, specification, standard, unit) in CATALOGUE.items():
        # get_or_create: an administrator's later changes to an item are not undone.
        items[code], _created = SupplyItem.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "category": category,
                "specification": specification,
                "standard": standard,
                "unit": unit,
            },
        )
    return items


def seed_warehouses() -> dict[str, Warehouse]:
    offices = {org.code: org for org in Organisation.objects.filter(code__in={w[1] for w in WAREHOUSES.values()})}
    warehouses = {}
    for code, (name, office, region, address) in WAREHOUSES.items():
        warehouses[code], _created = Warehouse.objects.get_or_create(
            code=code,
            defaults={"name": name, "organisation": offices[office], "region_id": region, "address": address},
        )
    return warehouses


def seed_stock(items: dict[str, SupplyItem], warehouses: dict[str, Warehouse]) -> None:
    User = get_user_model()
    officers = {}
    for code, stock in STOCK.items():
        warehouse = warehouses[code]
        username = USERS_BY_ORG[warehouse.organisation.code]
        officer = officers.setdefault(username, User.objects.get(username=username))
        stocked = set(StockBalance.objects.filter(warehouse=warehouse).values_list("item__code", flat=True))
        for item_code, quantity in stock.items():
            if item_code not in stocked:
                stock_receive(warehouse, items[item_code], quantity, by=officer, reason=RECEIPT_REASON)
    for code, item_code, change, reason in ADJUSTMENTS:
        warehouse = warehouses[code]
        done = StockMovement.objects.filter(warehouse=warehouse, item=items[item_code], kind="adjustment")
        if not done.exists():
            officer = User.objects.get(username=USERS_BY_ORG[warehouse.organisation.code])
            stock_adjust(warehouse, items[item_code], change, by=officer, reason=reason)


def seed_capacity(items: dict[str, SupplyItem]) -> None:
    for region, item_code, enterprise, daily, committed in CAPACITY:
        ProductionCapacity.objects.get_or_create(
            region_id=region,
            item=items[item_code],
            enterprise=enterprise,
            valid_from=START,
            defaults={"daily_capacity": daily, "committed": committed},
        )


@transaction.atomic
def seed() -> None:
    items = seed_catalogue()
    seed_stock(items, seed_warehouses())
    seed_capacity(items)
    seed_requests()


# --- mutual-aid requests of the story ------------------------------------------------------------

DEMO_REQUEST_MARK = "【演示】"


def _fire(request, name, username, payload):
    from coordination.workflow.engine import transition_fire

    User = get_user_model()
    return transition_fire(SupplyRequest, request.pk, name, by=User.objects.get(username=username), data=payload)


def _new_request(username, title, lines, **fields):
    from datetime import timedelta

    from django.utils import timezone

    from supplies.services.aid import supply_request_create

    User = get_user_model()
    user = User.objects.get(username=username)
    warehouse = Warehouse.objects.filter(organisation=user.membership.organisation).order_by("code").first()
    fields.setdefault("needed_by", timezone.localdate() + timedelta(days=2))
    return supply_request_create(
        by=user,
        title=DEMO_REQUEST_MARK + title,
        lines=[{"item": SupplyItem.objects.get(code=code), "quantity": quantity} for code, quantity in lines],
        receiving_warehouse=warehouse,
        delivery_address=warehouse.address,
        **fields,
    )


def _pledge_ids(request):
    return {(p.organisation.code, p.line.number): p.pk for p in request.pledges.select_related("organisation", "line")}


def _dispatch(request, username, supplier, lines, plate, driver, phone, route):
    from datetime import timedelta

    from django.utils import timezone

    order = request.allocations.get(supplier__code=supplier)
    return _fire(
        request,
        "dispatch",
        username,
        {
            "allocation": order.document_number,
            "vehicle_plate": plate,
            "driver_name": driver,
            "driver_phone": phone,
            "route": route,
            "expected_arrival": (timezone.now() + timedelta(hours=5)).isoformat(),
            "lines": [{"pledge": pledge, "quantity": quantity} for pledge, quantity in lines],
        },
    )


def seed_requests() -> None:
    """Jiangsu asks for 100,000 N95 masks and 10,000 protective suits; Zhejiang and Anhui
    pledge; Jiangsu allocates all of Zhejiang's masks and part of Anhui's; Zhejiang's lorry
    arrives in full, Anhui's suits arrive 300 short (damaged in the rain), its masks are still
    to go, and half the suits are still uncovered (on the shortage board). Anhui asks for
    ventilators: Shanghai pledges, awaiting allocation. Zhejiang asked for isolation gowns, got
    Shanghai's pledge, and cancelled when the national reserve delivered: the reservation is
    released. Runs once (the story's requests are marked in their titles)."""
    if SupplyRequest.objects.filter(title__startswith=DEMO_REQUEST_MARK).exists():
        return
    js = _new_request(
        "js-liaison",
        "支援南京、苏州定点医院医用防护口罩和防护服",
        [("mask-n95", 100000), ("suit-protective", 10000)],
        urgency="critical",
        purpose="南京市第二医院、苏州市第五人民医院定点收治，防护物资仅够3天",
        contact_name="江苏联络员",
        contact_phone="13951000001",
    )
    _fire(js, "pledge", "zj-liaison", {"lines": [{"line": 1, "quantity": 60000, "warehouse": "zj-medical-reserve"}]})
    _fire(
        js,
        "pledge",
        "ah-liaison",
        {
            "lines": [
                {"line": 1, "quantity": 25000, "warehouse": "ah-emergency-reserve"},
                {"line": 2, "quantity": 5000, "warehouse": "ah-emergency-reserve"},
            ]
        },
    )
    pledges = _pledge_ids(js)
    _fire(
        js,
        "allocate",
        "js-liaison",
        {
            "accept": [
                {"pledge": pledges["zj-liaison", 1], "quantity": 60000},
                {"pledge": pledges["ah-liaison", 1], "quantity": 20000},
                {"pledge": pledges["ah-liaison", 2], "quantity": 5000},
            ]
        },
    )
    js = _dispatch(
        js,
        "zj-liaison",
        "zj-liaison",
        [(pledges["zj-liaison", 1], 60000)],
        "浙A3F625",
        "陈建国",
        "13857100002",
        "杭州余杭—G25长深高速—南京江宁",
    )
    _fire(js, "record_hop", "zj-liaison", {"shipment": 1, "kind": "checkpoint", "place": "G25长深高速苏浙省界（长兴）"})
    [masks] = js.shipments.get(number=1).lines.all()
    _fire(
        js, "confirm_receipt", "js-liaison", {"shipment": 1, "lines": [{"shipment_line": masks.pk, "received": 60000}]}
    )
    js = _dispatch(
        js,
        "ah-liaison",
        "ah-liaison",
        [(pledges["ah-liaison", 2], 5000)],
        "皖A8K372",
        "刘海波",
        "13905510003",
        "合肥肥东—G40沪陕高速—南京",
    )
    [suits] = js.shipments.get(number=2).lines.all()
    _fire(
        js,
        "confirm_receipt",
        "js-liaison",
        {
            "shipment": 2,
            "lines": [
                {
                    "shipment_line": suits.pk,
                    "received": 4700,
                    "shortfall_reason": "3箱（300件）外包装进水受潮，按规定不得使用",
                }
            ],
        },
    )
    ah = _new_request(
        "ah-liaison",
        "支援阜阳、亳州重症救治呼吸机",
        [("ventilator-invasive", 20), ("ventilator-transport", 10)],
        urgency="urgent",
        purpose="皖北重症患者增加，ICU呼吸机缺口",
        contact_name="安徽联络员",
        contact_phone="13956000004",
    )
    _fire(ah, "pledge", "sh-liaison", {"lines": [{"line": 1, "quantity": 10, "warehouse": "sh-medical-reserve"}]})
    zj = _new_request(
        "zj-liaison",
        "支援温州隔离点隔离衣",
        [("gown-isolation", 20000)],
        urgency="routine",
        contact_name="浙江联络员",
        contact_phone="13857100005",
    )
    _fire(zj, "pledge", "sh-liaison", {"lines": [{"line": 1, "quantity": 8000, "warehouse": "sh-emergency-reserve"}]})
    _fire(zj, "cancel", "zj-liaison", {"reason": "国家储备调拨的隔离衣已到温州，本次请求取消"})
