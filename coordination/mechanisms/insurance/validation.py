"""The rules every filing obeys, wherever it comes from (API, batch, form, correction): each
broken rule names its field, so a hospital system can point at it."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from coordination.mechanisms.insurance import icd10
from coordination.pii import idcard


def diagnosis_for_code(code: str):
    """The active Diagnosis of an ICD-10 code, or a ValidationError message."""
    from coordination.mechanisms.insurance.models import Diagnosis

    code = icd10.normalise(code)
    if not icd10.valid_format(code):
        raise serializers.ValidationError(_("“%(code)s” is not an ICD-10 code (e.g. U07.1).") % {"code": code})
    diagnosis = Diagnosis.objects.filter(code=code, active=True).first()
    if diagnosis is None:
        raise serializers.ValidationError(_("Unknown ICD-10 code “%(code)s”.") % {"code": code})
    return diagnosis


def insuring_city_for_code(code: str):
    from coordination.models import Region

    city = Region.objects.cities().select_related("parent").filter(code=str(code).strip()).first()
    if city is None:
        raise serializers.ValidationError(_("No city of the Delta has the code “%(code)s”.") % {"code": code})
    return city


def validate_filing_fields(attrs: dict, *, instance=None, hospital=None) -> dict:
    """Check the fields given (with the instance's values for those not given) together;
    return them cleaned (ID number normalised, diagnosis and city as objects)."""
    errors: dict[str, list] = {}
    cleaned = dict(attrs)
    hospital = hospital or (instance.originator if instance is not None else None)

    def current(name):
        if name in cleaned:
            return cleaned[name]
        return getattr(instance, name, None) if instance is not None else None

    if "id_number" in cleaned:
        try:
            cleaned["id_number"] = idcard.validate_id_number(cleaned["id_number"])
        except idcard.InvalidIDNumber as exc:
            errors["id_number"] = [str(exc)]
    number = current("id_number")
    if number and "id_number" not in errors:
        birth_date, sex = current("birth_date"), current("sex")
        if isinstance(birth_date, date) and birth_date != idcard.birth_date_of(number):
            errors["birth_date"] = [_("The date of birth does not match the ID number.")]
        if sex and sex != idcard.sex_of(number):
            errors["sex"] = [_("The sex does not match the ID number.")]

    if "diagnosis" in cleaned and isinstance(cleaned["diagnosis"], str):
        try:
            cleaned["diagnosis"] = diagnosis_for_code(cleaned["diagnosis"])
        except serializers.ValidationError as exc:
            errors["diagnosis"] = exc.detail

    if "insuring_city" in cleaned and not hasattr(cleaned["insuring_city"], "pk"):
        try:
            cleaned["insuring_city"] = insuring_city_for_code(cleaned["insuring_city"])
        except serializers.ValidationError as exc:
            errors["insuring_city"] = exc.detail
    city = None if "insuring_city" in errors else cleaned.get("insuring_city")
    same_region = city is not None and hospital is not None and city.province.code == hospital.region_id
    if same_region and "insuring_city" not in errors:
        errors["insuring_city"] = [_("The insuring region must differ from the treating region.")]

    if "phone" in cleaned:
        cleaned["phone"] = str(cleaned["phone"]).strip().replace(" ", "")
        if not idcard.PHONE_PATTERN.match(cleaned["phone"]):
            errors["phone"] = [_("Enter a mobile number (11 digits) or a landline with its area code.")]

    admitted = current("admission_date")
    if "admission_date" in cleaned and isinstance(admitted, date):
        if admitted > timezone.localdate():
            errors["admission_date"] = [_("The admission date cannot be in the future.")]
        birth_date = current("birth_date")
        if isinstance(birth_date, date) and admitted < birth_date:
            errors["admission_date"] = [_("The admission date is before the date of birth.")]

    if errors:
        raise serializers.ValidationError(errors)
    return cleaned
