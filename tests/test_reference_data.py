"""The regions (GB/T 2260) and the mechanism catalogue arrive with the migrations."""

from coordination.models import Mechanism, Region


def test_it_has_the_four_provincial_level_regions(db):
    provincial = Region.objects.provincial()
    assert sorted(provincial.values_list("code", flat=True)) == ["310000", "320000", "330000", "340000"]
    assert sorted(provincial.values_list("abbr", flat=True)) == ["AH", "JS", "SH", "ZJ"]


def test_it_has_41_cities_counting_shanghai_as_its_own_city(db):
    assert Region.objects.cities().count() == 41
    assert Region.objects.filter(parent_id="320000").count() == 13
    assert Region.objects.filter(parent_id="330000").count() == 11
    assert Region.objects.filter(parent_id="340000").count() == 16
    shanghai = Region.objects.get(code="310000")
    assert shanghai.is_provincial and shanghai.province == shanghai
    assert shanghai in Region.objects.cities()


def test_wuxi_and_tongling_have_their_codes_names_and_plates(db):
    wuxi = Region.objects.get(code="320200")
    assert (wuxi.name_zh, wuxi.name_en, wuxi.plate_prefix, wuxi.parent_id) == ("无锡市", "Wuxi", "苏B", "320000")
    tongling = Region.objects.get(code="340700")
    assert (tongling.name_zh, tongling.province.code) == ("铜陵市", "340000")


def test_colliding_english_names_are_distinct_regions(db):
    suzhous = Region.objects.filter(name_en__startswith="Suzhou")
    assert sorted(suzhous.values_list("code", "name_zh")) == [("320500", "苏州市"), ("341300", "宿州市")]
    taizhous = Region.objects.filter(name_en__startswith="Taizhou")
    assert sorted(taizhous.values_list("code", flat=True)) == ["321200", "331000"]


def test_the_catalogue_holds_the_seven_the_five_and_insurance_filing(db):
    codes = list(Mechanism.objects.values_list("code", flat=True))
    assert codes == ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "F1", "F2", "F3", "F4", "F5", "INS"]
    patterns = dict(Mechanism.objects.values_list("code", "pattern"))
    assert patterns["M3"] == Mechanism.Pattern.NOTICE_WITH_RECEIPTS
    assert patterns["M4"] == Mechanism.Pattern.REQUEST_OFFERS_ALLOCATION
    assert patterns["F1"] == Mechanism.Pattern.CREDENTIAL
    assert patterns["INS"] == Mechanism.Pattern.REQUEST_REPLY
    assert Mechanism.objects.get(code="M3").secondary_pattern == Mechanism.Pattern.REQUEST_REPLY


def test_each_mechanism_has_a_default_deadline(db):
    m7 = Mechanism.objects.get(code="M7")
    assert m7.default_deadline.total_seconds() == 30 * 60
    assert Mechanism.objects.get(code="M3").default_deadline.total_seconds() == 2 * 3600
    assert Mechanism.objects.get(code="INS").deadline_basis == Mechanism.DeadlineBasis.WORKING_DAY
    assert not Mechanism.objects.filter(default_deadline__isnull=True).exists()


def test_regions_api_lists_them_paginated(api_as, personas):
    response = api_as(personas.owner).get("/api/v1/regions/", {"level": "city", "page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == 40
    assert {"code": "320200", "name_en": "Wuxi"}.items() <= response.json()["results"][1].items()
