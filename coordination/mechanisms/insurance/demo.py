"""Demo insurance filings: the Wuxi story of 30 January 2020, seeded by `seed_demo`."""

from django.contrib.auth import get_user_model

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


def seed() -> None:
    from datetime import date, timedelta

    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from coordination.mechanisms.insurance.models import InsuranceFiling
    from coordination.mechanisms.insurance.services import insurance_filing_create
    from coordination.pii import idcard
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
