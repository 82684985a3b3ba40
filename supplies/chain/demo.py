"""Demo supply-chain requests of February 2020 (F2), seeded by `seed_demo` with Suzhou's and
Ningbo's own liaison offices: a Shanghai car-parts maker waiting on wiring harnesses and chips
from Suzhou (answered by Suzhou's office, confirmed), a Zhejiang mask maker short of meltblown
fabric from Yangzhou (Jiangsu's office has accepted it), a Suzhou electronics maker waiting on
moulds from Ningbo (just filed) and a Ningbo appliance maker waiting on display modules from
Hefei (answered, to be confirmed). Idempotent; dates are relative to today, so the requests
stay current."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination.demo import USERS_BY_ORG, seed_city_liaison_offices
from coordination.models import Region
from coordination.trust import demo as trust_demo


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# (filed by, the request's fields, transitions fired in order: (by, name, payload))
REQUESTS = [
    (
        "sh-liaison",
        {
            "title": "上海嘉定某汽车零部件企业急需苏州线束及车规级芯片",
            "requester_name": "上海嘉定某汽车零部件有限公司",
            "requester_credit_code": "91310114MA1GT3QX02",
            "hs_code": "854430",
            "product_description": "汽车线束总成及车身控制模块用车规级芯片",
            "quantity": Decimal("20000"),
            "unit": "套",
            "needed_by": 5,
            "blocked_production": "乘用车车身控制模块总装线停产，影响下游整车厂2月下旬交付",
            "employees_affected": 860,
            "supplier_name": "苏州工业园区某线束有限公司",
            "supplier_city": "320500",
            "contact_person": "王经理",
            "contact_phone": "021-59990000",
        },
        [
            ("suzhou-liaison", "accept", {}),
            (
                "suzhou-liaison",
                "reply",
                {
                    "suppliers": [
                        {
                            "name": "苏州工业园区某线束有限公司",
                            "city": "320500",
                            "quantity": "15000",
                            "resumption_date": 2,
                        },
                        {"name": "昆山某电子有限公司", "city": "320500", "quantity": "5000", "resumption_date": 4},
                    ],
                    "result": "两家企业已于2月17日复工，园区已协调专车每日送货至嘉定，首批5000套两日内到货。",
                },
            ),
            ("sh-liaison", "close", {}),
        ],
    ),
    (
        "zj-liaison",
        {
            "title": "绍兴某医用防护用品企业急需熔喷布",
            "requester_name": "绍兴某医用防护用品有限公司",
            "requester_credit_code": "91330602MA2BF7LK0P",
            "hs_code": "560313",
            "product_description": "口罩用熔喷非织造布（BFE≥95%）",
            "quantity": Decimal("30"),
            "unit": "吨",
            "needed_by": 3,
            "blocked_production": "医用外科口罩生产线4条停产，日产能约40万只",
            "employees_affected": 320,
            "supplier_name": "",
            "supplier_city": "321000",
            "contact_person": "陈主任",
            "contact_phone": "13905750000",
        },
        [("js-liaison", "accept", {})],
    ),
    (
        "suzhou-liaison",
        {
            "title": "苏州某电子企业急需宁波注塑模具配件",
            "requester_name": "苏州某精密电子有限公司",
            "requester_credit_code": "91320594MA1N7QKD0X",
            "hs_code": "",
            "product_description": "手机外壳注塑模具及热流道配件",
            "quantity": Decimal("12"),
            "unit": "套",
            "needed_by": 10,
            "blocked_production": "手机外壳注塑车间停产",
            "employees_affected": 150,
            "supplier_name": "宁波某模具有限公司",
            "supplier_city": "330200",
            "contact_person": "刘工",
            "contact_phone": "0512-65550000",
        },
        [],
    ),
    (
        "ningbo-liaison",
        {
            "title": "宁波某家电企业急需合肥液晶显示模组",
            "requester_name": "宁波某家电制造有限公司",
            "requester_credit_code": "91330201MA2H4RWU0N",
            "hs_code": "852412",
            "product_description": "空调控制面板用液晶显示模组",
            "quantity": Decimal("50000"),
            "unit": "片",
            "needed_by": 7,
            "blocked_production": "空调室内机控制面板装配线停产",
            "employees_affected": 420,
            "supplier_name": "",
            "supplier_city": "340100",
            "contact_person": "周经理",
            "contact_phone": "13805740000",
        },
        [
            (
                "ah-liaison",
                "reply",
                {
                    "suppliers": [
                        {"name": "合肥某光电科技有限公司", "city": "340100", "quantity": "50000", "resumption_date": 1},
                    ],
                    "result": "该企业已复工复产，首批2万片三日内发出，请宁波方面确认收货。",
                },
            ),
        ],
    ),
]


def seed() -> None:
    from coordination.workflow.engine import transition_fire
    from supplies.chain.models import SupplyChainRequest
    from supplies.chain.services import supply_chain_request_create

    seed_city_liaison_offices()
    # Their signing keys, as the trust demo (which ran before they existed) gives every organisation.
    trust_demo.seed()
    User = get_user_model()
    for filed_by, fields, steps in REQUESTS:
        if SupplyChainRequest.objects.filter(title=fields["title"], originator__code=filed_by).exists():
            continue
        request = supply_chain_request_create(
            by=User.objects.get(username=USERS_BY_ORG[filed_by]),
            **{
                **fields,
                "needed_by": timezone.localdate() + timedelta(days=fields["needed_by"]),
                "supplier_city": Region.objects.get(code=fields["supplier_city"]),
            },
        )
        for org_code, name, data in steps:
            if name == "reply":
                data = {
                    **data,
                    "suppliers": [{**s, "resumption_date": _in_days(s["resumption_date"])} for s in data["suppliers"]],
                }
            transition_fire(
                SupplyChainRequest,
                request.pk,
                name,
                by=User.objects.get(username=USERS_BY_ORG[org_code]),
                data=data,
            )
