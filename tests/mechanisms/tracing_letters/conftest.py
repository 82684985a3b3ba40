"""Fixtures of the M1 tests. Personas: the sender (Shanghai's liaison office), the addressee
(Anhui's), a third region (Jiangsu), the region a person moved on to (Zhejiang), the Office."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission

from coordination.pii.idcard import with_check_character

URL = "/api/v1/tracing-letters/"
ID_1 = with_check_character("34010419750312101")
ID_2 = with_check_character("34070219820611202")
ID_3 = with_check_character("34012219900101303")
HEADER = ["姓名", "证件类型", "证件号码", "联系电话", "最后已知住址", "所在城市", "与病例关系", "接触日期", "接触地点"]


def person(number: str = ID_1, **overrides) -> dict:
    data = {
        "name": "王建国",
        "id_kind": "resident_id",
        "id_number": number,
        "phone": "13800000001",
        "address": "合肥市蜀山区长江西路88号",
        "city": "340100",
        "relation": "fellow_passenger",
        "exposure_date": "2020-01-25",
        "exposure_place": "G7192次列车5车厢",
    }
    data.update(overrides)
    return data


def letter_data(**overrides) -> dict:
    data = {
        "title": "关于协查G7192次列车确诊病例密切接触者的函",
        "addressee": "ah-liaison",
        "index_case_status": "confirmed",
        "index_case_summary": "1月25日乘G7192次列车5车厢。",
        "persons": [person(ID_1), person(ID_2, name="李秀英", city="340700", phone="13800000002")],
    }
    data.update(overrides)
    return data


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(number: str = ID_1, **overrides) -> list[str]:
    p = person(number, **overrides)
    return [
        p["name"],
        "居民身份证",
        p["id_number"],
        p["phone"],
        p["address"],
        "合肥",
        "同乘",
        p["exposure_date"],
        p["exposure_place"],
    ]


@pytest.fixture
def m1(demo):
    unmask = Permission.objects.get(codename="unmask_tracingletter")
    demo.user("sh-liaison").user_permissions.add(unmask)
    return demo


@pytest.fixture
def send(m1):
    """`send(by="sh-liaison", **fields)`: a letter through the create service."""
    from coordination.mechanisms.tracing_letters.api import TracingLetterCreateSerializer
    from coordination.mechanisms.tracing_letters.services import tracing_letter_create

    def make(by="sh-liaison", **overrides):
        user = m1.user(by)
        request = type("R", (), {"user": user})()
        shaped = TracingLetterCreateSerializer(data=letter_data(**overrides), context={"request": request})
        shaped.is_valid(raise_exception=True)
        return tracing_letter_create(by=user, **shaped.validated_data)

    return make


@pytest.fixture
def fire(m1):
    from coordination.mechanisms.tracing_letters.models import TracingLetter
    from coordination.workflow.engine import transition_fire

    def make(letter, name, by="ah-liaison", **data):
        return transition_fire(TracingLetter, letter.pk, name, by=m1.user(by), data=data)

    return make
