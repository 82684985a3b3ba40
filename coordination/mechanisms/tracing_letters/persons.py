"""One traced person's fields, checked the same way whether they were typed on the page, sent as
JSON or read from a row of an imported file: each error names its field and a machine-readable
code, and never repeats the value (an error report is personal data otherwise)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.mechanisms.tracing_letters.models import ID_PURPOSE, PHONE_PURPOSE, IdKind, Relation
from coordination.models import Region
from coordination.pii import crypto, idcard

FIELDS = ("name", "id_kind", "id_number", "phone", "address", "city", "relation", "exposure_date", "exposure_place")
REQUIRED = ("name", "id_number", "city", "relation", "exposure_date", "exposure_place")
MAX_LENGTHS = {"name": 64, "address": 200, "exposure_place": 200}
PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
# A cell a spreadsheet would run: "=cmd|…", "@SUM(…)", "+1+1", "-1+1"; a telephone number with
# its country code ("+86 138…") is not one.
FORMULA = re.compile(r"^[=@]|^[+\-](?![\d ()-]+$)|^[\t\r]")

# What a file or a form may write for a choice: its value, its Chinese or English label.
ID_KIND_WORDS = {
    "resident_id": IdKind.RESIDENT_ID,
    "居民身份证": IdKind.RESIDENT_ID,
    "身份证": IdKind.RESIDENT_ID,
    "resident identity card": IdKind.RESIDENT_ID,
    "passport": IdKind.PASSPORT,
    "护照": IdKind.PASSPORT,
}
RELATION_WORDS = {
    **{value: value for value in Relation.values},
    "家属": Relation.FAMILY,
    "家人": Relation.FAMILY,
    "同事": Relation.COLLEAGUE,
    "同乘": Relation.FELLOW_PASSENGER,
    "同乘人员": Relation.FELLOW_PASSENGER,
    "同车": Relation.FELLOW_PASSENGER,
    "朋友": Relation.FRIEND,
    "医护": Relation.MEDICAL,
    "医护人员": Relation.MEDICAL,
    "其他": Relation.OTHER,
    "family member": Relation.FAMILY,
    "fellow passenger": Relation.FELLOW_PASSENGER,
    "medical staff": Relation.MEDICAL,
}


@dataclass
class PersonError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class CheckedPerson:
    """A row's fields, cleaned, or its errors."""

    values: dict = field(default_factory=dict)
    errors: list[PersonError] = field(default_factory=list)


class Cities:
    """The addressed region's cities, by code and by Chinese or English name, read once."""

    def __init__(self, region: Region):
        self.region = region
        rows = [region] if region.level == Region.Level.MUNICIPALITY else list(Region.objects.filter(parent=region))
        self.by_key: dict[str, Region] = {}
        for city in rows:
            for key in (city.code, city.name_zh, city.name_zh.removesuffix("市"), city.name_en.lower()):
                self.by_key[key] = city

    def find(self, text: str) -> Region | None:
        text = text.strip()
        return self.by_key.get(text) or self.by_key.get(text.lower())


# The epidemic began in December 2019: an earlier exposure date is a typing error.
EARLIEST_EXPOSURE = date(2019, 12, 1)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def person_check(raw: dict, *, cities: Cities, today: date | None = None) -> CheckedPerson:
    """Clean one person's fields; every problem is reported, not only the first."""
    today = today or timezone.localdate()
    checked = CheckedPerson()
    errors, values = checked.errors, checked.values
    texts = {name: _text(raw.get(name)) for name in FIELDS}
    for name, text in texts.items():
        if "\x00" in text:
            errors.append(
                PersonError(name, "invalid_characters", _("The text contains characters that are not allowed."))
            )
        elif text and FORMULA.match(text):
            errors.append(PersonError(name, "formula", _("Formulas are not accepted; enter the value itself.")))
    if errors:
        return checked
    for name in REQUIRED:
        if not texts[name]:
            errors.append(PersonError(name, "required", _("This field is required.")))
    for name, limit in MAX_LENGTHS.items():
        if len(texts[name]) > limit:
            errors.append(PersonError(name, "too_long", _("At most %(limit)s characters.") % {"limit": limit}))
        values[name] = texts[name][:limit]
    kind = ID_KIND_WORDS.get(texts["id_kind"].lower() or "resident_id")
    if kind is None:
        errors.append(PersonError("id_kind", "invalid_choice", _("Write 居民身份证 (resident_id) or 护照 (passport).")))
    values["id_kind"] = kind or IdKind.RESIDENT_ID
    number = texts["id_number"].upper().replace(" ", "")
    if number:
        if values["id_kind"] == IdKind.PASSPORT:
            if not PASSPORT.match(number):
                errors.append(
                    PersonError("id_number", "invalid_passport", _("A passport number has 5 to 17 letters or digits."))
                )
        else:
            try:
                number = idcard.validate_id_number(number, today=today)
            except idcard.InvalidIDNumber as exc:
                code = "invalid_check_digit" if "check digit" in str(exc) or "校验" in str(exc) else "invalid_id_number"
                if idcard.PATTERN.match(number) and idcard.check_character(number[:17]) != number[17]:
                    code = "invalid_check_digit"
                errors.append(PersonError("id_number", code, str(exc)))
    values["id_number"] = number
    phone = texts["phone"].replace(" ", "").removeprefix("+86").removeprefix("0086")
    if phone and not idcard.PHONE_PATTERN.match(phone):
        errors.append(
            PersonError(
                "phone", "invalid_phone", _("Enter a mobile number (11 digits) or a landline with its area code.")
            )
        )
    values["phone"] = phone
    if texts["city"]:
        city = cities.find(texts["city"])
        if city is None:
            errors.append(
                PersonError(
                    "city",
                    "city_not_in_region",
                    _("Name a city of %(region)s (its name or GB/T 2260 code).") % {"region": cities.region.name},
                )
            )
        values["city"] = city
    relation = RELATION_WORDS.get(texts["relation"].lower()) if texts["relation"] else None
    if texts["relation"] and relation is None:
        errors.append(
            PersonError("relation", "invalid_choice", _("Choose a relation: 家属, 同事, 同乘, 朋友, 医护, 其他."))
        )
    values["relation"] = relation
    if texts["exposure_date"]:
        exposed = _date(raw.get("exposure_date"))
        if exposed is None:
            errors.append(PersonError("exposure_date", "invalid_date", _("Write the date as YYYY-MM-DD.")))
        elif exposed > today:
            errors.append(PersonError("exposure_date", "future_date", _("The exposure date cannot be in the future.")))
        elif exposed < EARLIEST_EXPOSURE:
            errors.append(
                PersonError("exposure_date", "too_early", _("An exposure date is in December 2019 or later."))
            )
        values["exposure_date"] = exposed
    return checked


# The columns a letter's persons are inserted with (coordination.workflow.bulk.rows_insert: COPY
# on PostgreSQL, no instances built); the others take their defaults.
ROW_COLUMNS = (
    "letter_id", "number", "name", "id_kind", "id_number", "id_number_hash", "id_number_masked", "phone",
    "phone_hash", "phone_masked", "address", "city_id", "relation", "exposure_date", "exposure_place", "created_at",
)  # fmt: skip


def person_row(letter_id: int, number: int, values: dict, now) -> tuple:
    """A person's row in ROW_COLUMNS' order, from checked values: the numbers as they are (their
    field encrypts them on the way), their search hashes and masks computed here."""
    id_number, phone = values["id_number"], values.get("phone", "")
    return (
        letter_id,
        number,
        values["name"],
        values["id_kind"],
        id_number,
        id_hash(id_number) if id_number else "",
        idcard.mask(id_number) if id_number else "",
        phone,
        phone_hash(phone) if phone else "",
        idcard.mask_phone(phone) if phone else "",
        values.get("address", ""),
        values["city"].pk,
        values["relation"],
        values["exposure_date"],
        values["exposure_place"],
        now,
    )


def id_hash(number: str) -> str:
    return crypto.search_hash(number, purpose=ID_PURPOSE)


def phone_hash(number: str) -> str:
    return crypto.search_hash(number, purpose=PHONE_PURPOSE)
