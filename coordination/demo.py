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

# City-level liaison offices, where a city runs its own: F2 supply-chain requests to their cities
# are routed to them, the provincial office observing. Seeded by F2's demo
# (`seed_city_liaison_offices`), not with the organisations above: measure notices address every
# liaison office of the other regions, and the demo's notices (and the tests') are the
# provincial offices'. (code, Chinese name, English name, region, city)
CITY_LIAISON_OFFICES = [
    ("suzhou-liaison", "苏州市长三角联防联控联络办公室", "Suzhou Joint Prevention Liaison Office", "320000", "320500"),
    ("ningbo-liaison", "宁波市长三角联防联控联络办公室", "Ningbo Joint Prevention Liaison Office", "330000", "330200"),
]

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
    # Office heads (签发人) who sign off their offices' circulars.
    "sh-head": ("sh-liaison", R.SIGNER, "上海联络办主任"),
    "js-head": ("js-liaison", R.SIGNER, "江苏联络办主任"),
    "zj-head": ("zj-liaison", R.SIGNER, "浙江联络办主任"),
    "ah-head": ("ah-liaison", R.SIGNER, "安徽联络办主任"),
    "sh-leader": ("sh-leading-group", R.LEADER, "上海领导小组"),
    "yrd-leader": ("yrd-office", R.LEADER, "长三角办领导"),
}

# The city offices' officers (username: organisation code, role, full name).
CITY_USERS = {
    "suzhou-liaison": ("suzhou-liaison", R.LIAISON_OFFICER, "苏州联络员"),
    "ningbo-liaison": ("ningbo-liaison", R.LIAISON_OFFICER, "宁波联络员"),
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


def _demo_user(username: str, organisation: Organisation, role: str, full_name: str) -> None:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": full_name, "email": f"{username}@demo.yrd.invalid"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not Membership.objects.filter(user=user).exists():
        Membership.objects.create(user=user, organisation=organisation, role=role)


def seed_users(orgs: dict[str, Organisation]) -> None:
    User = get_user_model()
    for username, (org_code, role, full_name) in USERS.items():
        _demo_user(username, orgs[org_code], role, full_name)
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "平台管理员"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])


def seed_city_liaison_offices() -> dict[str, Organisation]:
    """The city-level liaison offices and their officers (idempotent)."""
    orgs = {}
    for code, zh, en, region_code, city_code in CITY_LIAISON_OFFICES:
        orgs[code] = _organisation(code, K.CITY_LIAISON_OFFICE, zh, en, region_code, city_code)
    for username, (org_code, role, full_name) in CITY_USERS.items():
        _demo_user(username, orgs[org_code], role, full_name)
    return orgs


# The demo user of each organisation (its liaison officer, reviewer…), for mechanisms' demos.
USERS_BY_ORG = {
    org: username
    for username, (org, role, _name) in {**USERS, **CITY_USERS}.items()
    if role not in (R.LEADER, R.SIGNER)
}


@transaction.atomic
def seed() -> None:
    seed_users(seed_organisations())
    seed_working_day_calendar()


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
