"""Scale data of INS filings (`manage.py generate_scale_data --filings N`): the hospitals filing
for patients insured in the other regions, routed to those regions' centres, over the span, in
every state (approved mostly; submitted and returned mostly recent), with valid GB 11643 ID
numbers, mobile numbers and ICD-10 codes weighted as hospitals file them.

Each filing is shaped by the service's own `filing_to_create` (validation, routing, the search
hashes and masks of its numbers), created with `cases_create_many` and decided with
`transitions_fire_each`, with the payloads reviewers and hospitals send."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coordination.mechanisms.insurance.icd10 import COVID_CODES
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.mechanisms.insurance.services import FilingLookups, filing_to_create
from coordination.models import Organisation
from coordination.pii import idcard
from coordination.workflow.engine import Firing, cases_create_many, transitions_fire_each

K = Organisation.Kind
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉海燕文波斌宇浩凯鹏飞俊辉"
ICD_WEIGHTS = {
    "U07.1": 14,
    "U07.2": 6,
    "J12.8": 5,
    "J18.9": 10,
    "J44.1": 5,
    "J96.0": 2,
    "I21.9": 6,
    "I63.9": 8,
    "I10": 8,
    "E11.9": 7,
    "N18.5": 5,
    "C34.9": 6,
    "C16.9": 3,
    "C50.9": 4,
    "K35.8": 3,
    "S72.0": 3,
    "O80.9": 4,
    "A15.0": 1,
}
FILING_TYPES = {"emergency": 30, "referral": 35, "long_term_residence": 20, "temporary_work": 15}
MOBILE_PREFIXES = ["138", "139", "137", "136", "135", "150", "151", "158", "159", "186", "187", "188", "189", "133"]
DISTRICTS = ["02", "04", "05", "06", "11"]
REJECTION_CODES = ["not_insured", "insurance_suspended", "already_filed", "not_eligible", "documents_invalid"]
# Fields a reviewer asks to correct here, and what the hospital sends back for each. Not the ID
# or phone number: the bulk path does not run the filing's save(), which derives their search
# hashes (a correction of those goes through transition_fire).
CORRECTIONS = {
    "admission_date": lambda rng, filing: {"admission_date": (filing.admission_date - timedelta(days=1)).isoformat()},
    "diagnosis": lambda rng, filing: {"diagnosis": rng.choice([c for c in ICD_WEIGHTS if c != filing.diagnosis_id])},
    "patient_name": lambda rng, filing: {"patient_name": chinese_name(rng)},
    "attachments": lambda rng, filing: {},
}
FIELD_NAMES = {"admission_date": "入院日期", "diagnosis": "诊断", "patient_name": "姓名", "attachments": "附件"}
STATES = ("submitted", "returned", "approved", "rejected", "withdrawn")
OPEN = ("submitted", "returned")


def chinese_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def draw_state(rng, age_days: float) -> str:
    roll = rng.random()
    if age_days < 2:
        state = "submitted" if roll < 0.45 else "returned" if roll < 0.55 else "approved" if roll < 0.9 else ""
    else:
        state = "submitted" if roll < 0.004 else "returned" if roll < 0.01 else ""
    if not state:
        roll = rng.random()
        state = "approved" if roll < 0.88 else "rejected" if roll < 0.95 else "withdrawn"
    return state


def generate(count: int, *, rng, world):
    """`count` filings over the world's span, a batch per slot (one `cases_create_many` per
    hospital at its moment, then every review of the slot's filings in one
    `transitions_fire_each`, all in one transaction); yields each batch's filings."""
    hospitals = world.of_kind(K.HOSPITAL)
    provinces = sorted(world.cities)
    lookups = FilingLookups(
        [
            {"diagnosis": code, "insuring_city": city}
            for code in ICD_WEIGHTS
            for cities in world.cities.values()
            for city in cities
        ]
    )
    fate = world.coverage(STATES, count)
    # A person has one open filing per insuring region and hospital (the database's constraint,
    # checked as each filing is inserted, that is while it is submitted): the open ones so far.
    open_keys = set(
        InsuranceFiling.objects.filter(state__in=OPEN).values_list(
            "id_number_hash", "insuring_region_id", "originator_id"
        )
    )
    serial = (InsuranceFiling.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    for first, until, size in world.slots(count):
        by_hospital: dict[Organisation, int] = {}
        for _ in range(size):
            hospital = rng.choice(hospitals)
            by_hospital[hospital] = by_hospital.get(hospital, 0) + 1
        moments = {hospital: world.moment(rng, first, until) for hospital in by_hospital}
        created, firings, slot_keys, kept_open = [], [], set(), set()
        with transaction.atomic():
            for hospital in sorted(by_hospital, key=lambda org: (moments[org], org.code)):
                at = moments[hospital]
                new_cases, states = [], []
                for _ in range(by_hospital[hospital]):
                    state = fate(draw_state(rng, world.age_days(at)))
                    new, key = new_filing(rng, world, lookups, hospital, provinces, at, serial, open_keys | slot_keys)
                    serial += 1
                    slot_keys.add(key)
                    if state in OPEN:
                        kept_open.add(key)
                    new_cases.append(new)
                    states.append(state)
                filings = cases_create_many(InsuranceFiling, new_cases, by=world.user(hospital), now=at)
                for filing, state in zip(filings, states, strict=True):
                    firings += reviews_planned(rng, world, filing, state, at)
                created += filings
            # In time order (stable: each filing's own steps stay in theirs).
            transitions_fire_each(InsuranceFiling, sorted(firings, key=lambda firing: firing.now))
        open_keys |= kept_open
        yield created


generate.flag = "filings"  # manage.py generate_scale_data --filings N


def new_filing(rng, world, lookups, hospital, provinces, at, serial: int, taken: set):
    """A valid filing of the hospital (the service's NewCase) whose person has no open filing
    for the insuring region at the hospital yet, and its (ID hash, region, hospital) key."""
    insuring = rng.choice([code for code in provinces if code != hospital.region_id])
    city = rng.choice(world.cities[insuring])
    filing_type = world.weighted(rng, FILING_TYPES)
    diagnosis = world.weighted(rng, ICD_WEIGHTS)
    if filing_type == "emergency" and rng.random() < 0.5:
        diagnosis = rng.choice(COVID_CODES)
    admitted = timezone.localtime(at).date() - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)))
    while True:
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(80 * 365))
        number = idcard.with_check_character(f"{city[:4]}{rng.choice(DISTRICTS)}{born:%Y%m%d}{rng.randrange(1000):03d}")
        new = filing_to_create(
            hospital,
            {
                "patient_name": chinese_name(rng),
                "id_number": number,
                "sex": idcard.sex_of(number),
                "birth_date": born,
                "insurance_type": "employee" if rng.random() < 0.7 else "resident",
                "insuring_city": city,
                "filing_type": filing_type,
                "diagnosis": diagnosis,
                "admission_date": max(admitted, born),
                "phone": rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            },
            hospital_reference=f"HIS-{hospital.pk:03d}-{serial:08d}",
            lookups=lookups,
        )
        key = (new.fields["id_number_hash"], insuring, hospital.pk)
        if key not in taken:
            return new, key


def reviews_planned(rng, world, filing, state: str, at) -> list[Firing]:
    """The reviews (and the hospital's corrections or withdrawal) that bring a new filing to
    `state`: a few of the open ones, and of the approved, were returned and corrected first."""
    hospital, centre = world.user(filing.originator), world.user(filing.insuring_centre)
    firings, t = [], at
    cycled = (state == "submitted" and rng.random() < 0.1) or (state == "approved" and rng.random() < 0.03)
    if state == "returned" or cycled:
        t = world.at_most_now(t + timedelta(minutes=rng.randrange(20, 240)))
        to_correct = sorted(rng.sample(list(CORRECTIONS), rng.choice((1, 1, 2))))
        reason = "请核实并补充：" + "、".join(FIELD_NAMES[name] for name in to_correct)
        firings.append(
            Firing(
                filing,
                "return_for_correction",
                centre,
                {"return_reason": reason, "fields_to_correct": to_correct},
                now=t,
            )
        )
        if cycled:
            t = world.at_most_now(t + timedelta(minutes=rng.randrange(10, 120)))
            corrections = {}
            for name in to_correct:
                corrections.update(CORRECTIONS[name](rng, filing))
            firings.append(Firing(filing, "resubmit", hospital, corrections, now=t))
    if state in ("approved", "rejected"):
        hours = rng.expovariate(1 / (1.5 if filing.filing_type == "emergency" else 5))
        t = world.at_most_now(t + timedelta(seconds=int(min(hours, 72) * 3600) + 60))
        if state == "approved":
            valid_until = filing.admission_date + timedelta(days=rng.choice((30, 90, 180, 365)))
            data = {"effective_from": filing.admission_date.isoformat(), "valid_until": valid_until.isoformat()}
            covid = filing.filing_type == "emergency" and filing.diagnosis_id in COVID_CODES
            comment = "新冠肺炎确诊/疑似患者异地就医，先行备案，直接结算。" if covid else ""
            firings.append(Firing(filing, "approve", centre, data, comment=comment, now=t))
        else:
            data = {
                "reject_reason_code": rng.choice(REJECTION_CODES),
                "return_reason": "经核查，不符合异地就医备案条件。",
            }
            firings.append(Firing(filing, "reject", centre, data, now=t))
    elif state == "withdrawn":
        t = world.at_most_now(t + timedelta(minutes=rng.randrange(5, 600)))
        firings.append(Firing(filing, "withdraw", hospital, {"reason": "患者已转回参保地治疗。"}, now=t))
    return firings
