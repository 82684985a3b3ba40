"""Demo assignment sheets of early 2020 (M3), seeded by `seed_demo`."""

from django.contrib.auth import get_user_model

from coordination.demo import USERS_BY_ORG
from coordination.models import Organisation

# Assignment sheets of early 2020: (from, to, title, matter, transitions fired in order)
SHEETS = [
    (
        "js-liaison",
        "sh-liaison",
        "请协助核查返沪复工人员健康状况",
        "2月10日起苏州至上海通勤复工人员约1200人，请上海方面协助核查其健康码状态及14天行程，以便两地互认放行。",
        [
            ("sh-liaison", "accept", {}),
            ("sh-liaison", "reply", {"result": "已核查1186人，均为绿码；14人待补充行程信息，已通知所在企业。"}),
            ("js-liaison", "close", {}),
        ],
    ),
    (
        "sh-liaison",
        "zj-liaison",
        "沪浙交界枫泾—嘉善道口车辆通行协调",
        "沪浙省界枫泾—嘉善道口排队车辆较多，建议两地联合设卡、一次查验、结果互认，请浙江方面研究答复。",
        [("zj-liaison", "accept", {})],
    ),
    (
        "zj-liaison",
        "ah-liaison",
        "安徽籍返岗务工人员点对点包车接送对接",
        "浙江多家制造企业拟组织点对点包车，接送安徽阜阳、六安籍员工返岗，请安徽方面协调出发地健康证明与发车安排。",
        [],
    ),
    (
        "ah-liaison",
        "js-liaison",
        "铜陵至南京防疫物资运输车辆通行互认",
        "铜陵生产的医用防护物资需运往南京，请江苏方面对持安徽通行证的运输车辆予以放行。",
        [("js-liaison", "return_for_correction", {"reason": "请补充车辆号牌、驾驶员信息及运输时段。"})],
    ),
    (
        "yrd-office",
        "js-liaison",
        "省界道口“一站式”查验流程协调",
        "为落实健康码互认，请江苏梳理各省界道口查验流程，提出“一站式”查验方案并于三日内答复。",
        [],
    ),
]


def seed() -> None:
    from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
    from coordination.mechanisms.assignment_sheets.services import assignment_sheet_create
    from coordination.workflow.engine import transition_fire

    User = get_user_model()
    for from_code, to_code, title, matter, steps in SHEETS:
        if AssignmentSheet.objects.filter(title=title, originator__code=from_code).exists():
            continue
        by = User.objects.get(username=USERS_BY_ORG[from_code])
        sheet = assignment_sheet_create(
            by=by, title=title, matter=matter, addressee=Organisation.objects.get(code=to_code)
        )
        for org_code, name, data in steps:
            transition_fire(
                AssignmentSheet, sheet.pk, name, by=User.objects.get(username=USERS_BY_ORG[org_code]), data=data
            )
