"""Demo major-measure notices of early 2020 (M3, M7), seeded by `seed_demo`."""

from django.contrib.auth import get_user_model

from coordination.demo import USERS_BY_ORG

# Major-measure notices of early 2020: (issuer, mechanism, category, title, summary, body,
# days in force so far, addressees' answers {org: ("acknowledge"|"raise_objection", reason)}, overdue)
NOTICES = [
    (
        "js-liaison",
        "M3",
        "border_control",
        "江苏省关于省际道口实行联合查验、结果互认的通告",
        "自即日起，苏沪、苏浙、苏皖省界道口实行联合查验，一次查验、结果互认，持绿码人员车辆快速通行。",
        "为统筹做好疫情防控和复工复产，经与上海市、浙江省、安徽省协商，现就省际道口查验通告如下：\n"
        "一、省界道口由相邻两省（市）联合设卡、一次查验、结果互认，不再重复查验。\n"
        "二、持长三角任一地区绿码的人员及其车辆，测温正常即予通行。\n"
        "三、运输防疫物资、生活必需品和复工复产物资的车辆，开辟绿色通道优先通行。",
        12,
        {"sh-liaison": ("acknowledge", ""), "zj-liaison": ("acknowledge", ""), "yrd-office": ("acknowledge", "")},
        False,
    ),
    (
        "sh-liaison",
        "M3",
        "arrival_quarantine",
        "上海市关于来沪人员实施14天居家健康观察的通告",
        "对来自重点地区的来沪人员实施14天居家健康观察，社区负责登记和健康监测。",
        "根据疫情防控需要，现就来沪人员健康管理通告如下：\n"
        "一、来自重点地区的来沪人员，抵沪后实施14天居家健康观察。\n"
        "二、居（村）委会负责登记、每日健康监测，并做好生活服务保障。\n"
        "三、持长三角地区绿码、从事货运物流的驾驶人员，按联防联控机制商定的规则执行。",
        20,
        {
            "js-liaison": ("acknowledge", ""),
            "zj-liaison": ("raise_objection", "请明确持绿码货运司机免于14天居家观察，以免影响我省物资运输。"),
            "ah-liaison": ("acknowledge", ""),
        },
        False,
    ),
    (
        "yrd-office",
        "M3",
        "other",
        "关于长三角地区健康码互认通用、有序放宽省际通行管控的通知",
        "三省一市健康码互认通用，绿码人员在长三角范围内通行无需重复申领。",
        "经三省一市疫情防控工作领导小组同意，现就健康码互认通用有关事项通知如下：\n"
        "一、上海、江苏、浙江、安徽健康码互认通用，“绿码”人员在区域内通行不再重复申领。\n"
        "二、各地按照“数据互换、规则互认、结果互通”原则做好系统对接。\n"
        "三、各地省界道口相应调整查验措施，有序放宽通行管控。",
        5,
        {
            "sh-liaison": ("acknowledge", ""),
            "js-liaison": ("acknowledge", ""),
            "zj-liaison": ("acknowledge", ""),
            "ah-liaison": ("acknowledge", ""),
        },
        False,
    ),
    (
        "ah-liaison",
        "M7",
        "public_health_incident",
        "铜陵市农贸市场人员聚集预警处置情况通报",
        "城市超级大脑发现某农贸市场人员聚集超过5人且未戴口罩，市场管理方30分钟内完成处置。",
        "铜陵市“城市超级大脑”发出预警：某农贸市场出现人员聚集、未佩戴口罩情况。"
        "市场管理方接警后30分钟内完成劝导和疏散，现通报相关情况，供各地参考。",
        1,
        {},
        True,
    ),
]


def seed() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from coordination.mechanisms.measure_notices.models import MeasureNotice
    from coordination.mechanisms.measure_notices.services import measure_notice_issue
    from coordination.workflow.engine import transition_fire

    User = get_user_model()
    for issuer, mechanism, category, title, summary, body, days, answers, overdue in NOTICES:
        if MeasureNotice.objects.filter(title=title, originator__code=issuer).exists():
            continue
        notice = measure_notice_issue(
            by=User.objects.get(username=USERS_BY_ORG[issuer]),
            mechanism=mechanism,
            category=category,
            title=title,
            summary=summary,
            body=body,
            effective_from=timezone.localdate() - timedelta(days=days),
        )
        for org_code, (name, reason) in answers.items():
            data = {"reason": reason} if reason else {}
            transition_fire(
                MeasureNotice, notice.pk, name, by=User.objects.get(username=USERS_BY_ORG[org_code]), data=data
            )
        if overdue:
            # Demo only: an emergency whose 30 minutes have run out, for the deadline machinery to chase.
            past = timezone.now() - timedelta(minutes=45)
            MeasureNotice.objects.filter(pk=notice.pk).update(due_at=past, escalate_at=past + timedelta(minutes=15))
