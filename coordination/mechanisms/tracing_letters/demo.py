"""Demo tracing letters of early 2020 (M1), seeded by `seed`: Shanghai asks Anhui to trace the
close contacts of a confirmed case who travelled on a train to Hefei; Anhui accepts, assigns
them to its cities, replies person by person and forwards one who moved on to Zhejiang. The ID
numbers are made up (with valid check digits); the phones are in the unassigned 100 range."""

from django.contrib.auth import get_user_model

from coordination.demo import USERS_BY_ORG
from coordination.models import Organisation
from coordination.pii.idcard import with_check_character

TRAIN_TITLE = "关于协查G7192次列车确诊病例密切接触者的函"
TRAIN_SUMMARY = (
    "我市2020年1月28日确诊新冠肺炎病例1例（男，45岁），1月25日乘G7192次列车（上海虹桥—合肥南）5车厢，"
    "经流行病学调查，同车厢及同行密切接触者4人现居或前往安徽，请协助追踪落实集中隔离医学观察并反馈。"
)


def _person(name, first17, phone, address, city, relation, place):
    return {
        "name": name,
        "id_kind": "resident_id",
        "id_number": with_check_character(first17),
        "phone": phone,
        "address": address,
        "city": city,
        "relation": relation,
        "exposure_date": "2020-01-25",
        "exposure_place": place,
    }


TRAIN_PERSONS = [
    _person(
        "王建国",
        "34010419750312101",
        "13800000001",
        "合肥市蜀山区长江西路88号",
        "340100",
        "fellow_passenger",
        "G7192次列车5车厢",
    ),
    _person(
        "李秀英",
        "34070219820611202",
        "13800000002",
        "铜陵市铜官区义安大道12号",
        "340700",
        "fellow_passenger",
        "G7192次列车5车厢",
    ),
    _person("张伟", "34012219900101303", "13800000003", "合肥市肥西县上派镇", "340100", "family", "上海市闵行区家中"),
    _person(
        "陈静", "34020219950815404", "13800000004", "芜湖市镜湖区中山路5号", "340200", "colleague", "G7192次列车5车厢"
    ),
]

# A second letter, still waiting to be accepted: Jiangsu asks Shanghai about a suspected case.
SUZHOU_TITLE = "关于协查疑似病例密切接触者的函（苏州）"
SUZHOU_SUMMARY = "苏州市1月30日报告疑似病例1例，1月27日在上海市静安区某餐厅聚餐，同桌2人现居上海，请协助追踪。"
SUZHOU_PERSONS = [
    _person("刘洋", "31010619880203505", "13800000005", "上海市静安区南京西路1号", "310000", "friend", "静安区某餐厅"),
    _person("赵敏", "31010419920707606", "13800000006", "上海市徐汇区漕溪北路2号", "310000", "friend", "静安区某餐厅"),
]


def seed() -> None:
    from coordination.mechanisms.tracing_letters.models import TracingLetter
    from coordination.mechanisms.tracing_letters.services import tracing_letter_create
    from coordination.workflow.engine import transition_fire

    User = get_user_model()

    def user(org: str):
        return User.objects.get(username=USERS_BY_ORG[org])

    if not TracingLetter.objects.filter(title=TRAIN_TITLE, originator__code="sh-liaison").exists():
        letter = tracing_letter_create(
            by=user("sh-liaison"),
            title=TRAIN_TITLE,
            addressee=Organisation.objects.get(code="ah-liaison"),
            index_case_status="confirmed",
            index_case_summary=TRAIN_SUMMARY,
            persons=TRAIN_PERSONS,
        )
        ah = user("ah-liaison")
        steps = [
            ("accept", {}),
            ("assign_persons", {"city": "340100", "persons": [1, 3]}),
            ("assign_persons", {"city": "340700", "persons": [2]}),
            ("reply_person", {"person": 1, "outcome": "under_observation", "note": "已落实集中隔离医学观察（合肥）。"}),
            ("reply_person", {"person": 2, "outcome": "tested", "test_result": "negative", "tested_on": "2020-01-30"}),
            ("reply_person", {"person": 3, "outcome": "not_found", "note": "登记住址无人，继续排查。"}),
            ("reply_person", {"person": 4, "outcome": "moved_on", "moved_to": "330000", "note": "1月27日已前往杭州。"}),
        ]
        for name, data in steps:
            letter = transition_fire(TracingLetter, letter.pk, name, by=ah, data=data)
        transition_fire(
            TracingLetter,
            letter.pk,
            "reply",
            by=ah,
            data={"result": "4人中1人隔离观察、1人检测阴性、1人未找到（继续排查）、1人已转浙江协查。"},
        )
    if not TracingLetter.objects.filter(title=SUZHOU_TITLE, originator__code="js-liaison").exists():
        tracing_letter_create(
            by=user("js-liaison"),
            title=SUZHOU_TITLE,
            addressee=Organisation.objects.get(code="sh-liaison"),
            index_case_status="suspected",
            index_case_summary=SUZHOU_SUMMARY,
            persons=SUZHOU_PERSONS,
        )
