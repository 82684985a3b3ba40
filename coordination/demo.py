"""Demo data of the 2020 story: the organisations of shared/DESIGN.md §3 and their people.

Demo-only accounts share the password DEMO_PASSWORD (documented in the README). Every
seeder is idempotent: running `seed_demo` twice leaves the same rows.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from coordination.models import Membership, Organisation

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo-only password

K = Organisation.Kind
PROVINCES = {
    # region code: (abbr, Chinese short name, English name, seat city)
    "310000": ("sh", "上海市", "Shanghai", "310000"),
    "320000": ("js", "江苏省", "Jiangsu", "320100"),
    "330000": ("zj", "浙江省", "Zhejiang", "330100"),
    "340000": ("ah", "安徽省", "Anhui", "340100"),
}

# Per region: (code suffix, kind, Chinese name suffix, English name suffix)
REGIONAL_ORGANISATIONS = [
    ("liaison", K.LIAISON_OFFICE, "长三角联防联控联络办公室", "Joint Prevention Liaison Office"),
    ("insurance", K.INSURANCE_CENTRE, "医疗保险事业管理中心", "Medical Insurance Centre"),
    ("transport", K.TRANSPORT_DEPARTMENT, "交通运输厅", "Department of Transport"),
    ("health", K.HEALTH_COMMISSION, "卫生健康委员会", "Health Commission"),
    ("leading-group", K.LEADING_GROUP, "新冠肺炎疫情防控工作领导小组", "Epidemic Prevention and Control Leading Group"),
]
# Shanghai's transport authority is a commission, not a provincial department.
NAME_OVERRIDES = {
    "sh-transport": ("上海市交通委员会", "Shanghai Municipal Transportation Commission"),
}

HOSPITALS = [
    ("wuxi-peoples-hospital", "无锡市人民医院", "Wuxi People's Hospital", "320000", "320200"),
    ("sh-zhongshan-hospital", "复旦大学附属中山医院", "Zhongshan Hospital, Fudan University", "310000", "310000"),
    (
        "hz-zju-first-hospital",
        "浙江大学医学院附属第一医院",
        "The First Affiliated Hospital, Zhejiang University School of Medicine",
        "330000",
        "330100",
    ),
    (
        "hf-ahmu-first-hospital",
        "安徽医科大学第一附属医院",
        "The First Affiliated Hospital of Anhui Medical University",
        "340000",
        "340100",
    ),
    ("tongling-peoples-hospital", "铜陵市人民医院", "Tongling People's Hospital", "340000", "340700"),
]

OFFICE = ("yrd-office", "长三角区域合作办公室", "Yangtze River Delta Regional Cooperation Office")

R = Membership.Role
# username: (organisation code, role, full name)
USERS = {
    "sh-liaison": ("sh-liaison", R.LIAISON_OFFICER, "上海联络员"),
    "js-liaison": ("js-liaison", R.LIAISON_OFFICER, "江苏联络员"),
    "zj-liaison": ("zj-liaison", R.LIAISON_OFFICER, "浙江联络员"),
    "ah-liaison": ("ah-liaison", R.LIAISON_OFFICER, "安徽联络员"),
    "yrd-office": ("yrd-office", R.COORDINATOR, "长三角办协调员"),
    "wuxi-hospital": ("wuxi-peoples-hospital", R.HOSPITAL_FILER, "无锡市人民医院医保办"),
    "sh-insurance": ("sh-insurance", R.INSURANCE_REVIEWER, "上海医保审核员"),
    "js-insurance": ("js-insurance", R.INSURANCE_REVIEWER, "江苏医保审核员"),
    "js-transport": ("js-transport", R.TRANSPORT_OFFICER, "江苏交通专班"),
    "sh-leader": ("sh-leading-group", R.LEADER, "上海领导小组"),
    "yrd-leader": ("yrd-office", R.LEADER, "长三角办领导"),
}


def _organisation(code, kind, name_zh, name_en, region_id, city_id) -> Organisation:
    # get_or_create, not update_or_create: `make run` seeds at every start and must not undo
    # what an administrator changed since.
    org, _created = Organisation.objects.get_or_create(
        code=code,
        defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en, "region_id": region_id, "city_id": city_id},
    )
    return org


def seed_organisations() -> dict[str, Organisation]:
    orgs = {}
    for region_code, (abbr, zh, en, seat) in PROVINCES.items():
        for suffix, kind, zh_suffix, en_suffix in REGIONAL_ORGANISATIONS:
            code = f"{abbr}-{suffix}"
            name_zh, name_en = NAME_OVERRIDES.get(code, (f"{zh}{zh_suffix}", f"{en} {en_suffix}"))
            orgs[code] = _organisation(code, kind, name_zh, name_en, region_code, seat)
    for code, zh, en, region_code, city_code in HOSPITALS:
        orgs[code] = _organisation(code, K.HOSPITAL, zh, en, region_code, city_code)
    code, zh, en = OFFICE
    orgs[code] = _organisation(code, K.COOPERATION_OFFICE, zh, en, None, "310000")
    return orgs


def seed_users(orgs: dict[str, Organisation]) -> None:
    User = get_user_model()
    for username, (org_code, role, full_name) in USERS.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "email": f"{username}@demo.yrd.invalid"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if not Membership.objects.filter(user=user).exists():
            Membership.objects.create(user=user, organisation=orgs[org_code], role=role)
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "平台管理员"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])


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


def seed_assignment_sheets() -> None:
    from coordination.models import AssignmentSheet
    from coordination.services.assignment_sheets import assignment_sheet_create
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


def seed_measure_notices() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from coordination.models import MeasureNotice
    from coordination.services.measure_notices import measure_notice_issue
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


USERS_BY_ORG = {org: username for username, (org, role, _name) in USERS.items() if role != R.LEADER}


@transaction.atomic
def seed() -> None:
    seed_users(seed_organisations())
    seed_working_day_calendar()
    seed_assignment_sheets()
    seed_insurance_filings()
    seed_measure_notices()


# The working-day calendar of 2020 (国办发明电〔2019〕16号), with the Spring Festival holiday
# extended to 2 February because of the epidemic (国办发明电〔2020〕1号), which also cancelled
# the make-up working day of Saturday 1 February. (first day, last day, kind, name)
CALENDAR_2020 = [
    ("2020-01-01", "2020-01-01", "holiday", "元旦"),
    ("2020-01-19", "2020-01-19", "working_day", "春节调休上班"),
    ("2020-01-24", "2020-01-30", "holiday", "春节"),
    ("2020-01-31", "2020-02-02", "holiday", "春节假期延长（疫情防控）"),
    ("2020-04-04", "2020-04-06", "holiday", "清明节"),
    ("2020-04-26", "2020-04-26", "working_day", "劳动节调休上班"),
    ("2020-05-01", "2020-05-05", "holiday", "劳动节"),
    ("2020-05-09", "2020-05-09", "working_day", "劳动节调休上班"),
    ("2020-06-25", "2020-06-27", "holiday", "端午节"),
    ("2020-06-28", "2020-06-28", "working_day", "端午节调休上班"),
    ("2020-09-27", "2020-09-27", "working_day", "国庆节调休上班"),
    ("2020-10-01", "2020-10-08", "holiday", "国庆节、中秋节"),
    ("2020-10-10", "2020-10-10", "working_day", "国庆节调休上班"),
]


def seed_working_day_calendar() -> None:
    """2020's public holidays and make-up working days (created once; the Office's edits stay)."""
    from datetime import date, timedelta

    from coordination.models import CalendarDay

    for first, last, kind, name in CALENDAR_2020:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "name": name})
            day += timedelta(days=1)


# The Wuxi story of 2020-01-30 (shared/DESIGN.md §1): three Shanghai-insured patients fell ill in
# Wuxi; the Shanghai centre approved their filings. Then a queue still waiting for review.
# (patient name, first 17 ID digits, birth date, filing type, ICD-10, transitions)
WUXI_FILINGS = [
    ("王建国", "31010419650312051", "1965-03-12", "emergency", "U07.1", ["approve"]),
    ("李秀英", "31010519700815062", "1970-08-15", "emergency", "U07.1", ["approve"]),
    ("陈志强", "31011219881120073", "1988-11-20", "emergency", "U07.2", ["approve"]),
    ("周丽华", "31011519920405084", "1992-04-05", "emergency", "U07.1", []),
    ("孙伟", "31010719580923015", "1958-09-23", "referral", "I63.9", []),
    ("吴静", "31011019850214026", "1985-02-14", "temporary_work", "J18.9", [("return", "phone")]),
]


def seed_insurance_filings() -> None:
    from datetime import date, timedelta

    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from coordination.insurance import idcard
    from coordination.models import InsuranceFiling
    from coordination.services.insurance import insurance_filing_create
    from coordination.workflow.engine import transition_fire

    User = get_user_model()
    hospital, centre = User.objects.get(username="wuxi-hospital"), User.objects.get(username="sh-insurance")
    unmask = Permission.objects.get(codename="unmask_insurancefiling")
    hospital.user_permissions.add(unmask)
    centre.user_permissions.add(unmask)
    admitted = timezone.localdate() - timedelta(days=1)
    for name, first17, born, filing_type, icd, steps in WUXI_FILINGS:
        reference = f"WX-DEMO-{first17[-3:]}"
        if InsuranceFiling.objects.filter(hospital_reference=reference).exists():
            continue
        number = idcard.with_check_character(first17)
        filing = insurance_filing_create(
            by=hospital,
            hospital_reference=reference,
            patient_name=name,
            id_number=number,
            sex=idcard.sex_of(number),
            birth_date=date.fromisoformat(born),
            insurance_type="employee",
            insuring_city="310000",
            filing_type=filing_type,
            diagnosis=icd,
            admission_date=admitted,
            phone="1391000" + first17[-4:],
        )
        for step in steps:
            if step == "approve":
                transition_fire(
                    InsuranceFiling,
                    filing.pk,
                    "approve",
                    by=centre,
                    data={
                        "effective_from": admitted.isoformat(),
                        "valid_until": (admitted + timedelta(days=90)).isoformat(),
                    },
                    comment="新冠肺炎确诊/疑似患者异地就医，先行备案，直接结算。",
                )
            else:
                transition_fire(
                    InsuranceFiling,
                    filing.pk,
                    "return_for_correction",
                    by=centre,
                    data={"return_reason": "联系电话无法接通，请核实。", "fields_to_correct": [step[1]]},
                )
