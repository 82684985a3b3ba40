"""ICD-10 diagnosis codes: the format check and the seed table (the codes hospitals file most
often for cross-region treatment in 2020, with the COVID-19 emergency codes U07.1 and U07.2)."""

import re

# A letter, two digits, optionally a dot and one to four characters (U07.1, J18.9, C34.901).
CODE_PATTERN = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$")

COVID_CODES = ("U07.1", "U07.2")

SEED = [
    # (code, Chinese name, English name)
    ("U07.1", "新型冠状病毒肺炎（确诊病例）", "COVID-19, virus identified"),
    ("U07.2", "新型冠状病毒肺炎（疑似病例）", "COVID-19, virus not identified (suspected)"),
    ("J12.8", "其他病毒性肺炎", "Other viral pneumonia"),
    ("J18.9", "肺炎，未特指", "Pneumonia, unspecified"),
    ("J44.1", "慢性阻塞性肺病伴有急性加重", "COPD with acute exacerbation"),
    ("J96.0", "急性呼吸衰竭", "Acute respiratory failure"),
    ("I21.9", "急性心肌梗死，未特指", "Acute myocardial infarction, unspecified"),
    ("I63.9", "脑梗死，未特指", "Cerebral infarction, unspecified"),
    ("I10", "特发性（原发性）高血压", "Essential (primary) hypertension"),
    ("E11.9", "2型糖尿病不伴有并发症", "Type 2 diabetes mellitus without complications"),
    ("N18.5", "慢性肾脏病5期", "Chronic kidney disease, stage 5"),
    ("C34.9", "支气管或肺恶性肿瘤，未特指", "Malignant neoplasm of bronchus or lung, unspecified"),
    ("C16.9", "胃恶性肿瘤，未特指", "Malignant neoplasm of stomach, unspecified"),
    ("C50.9", "乳房恶性肿瘤，未特指", "Malignant neoplasm of breast, unspecified"),
    ("K35.8", "急性阑尾炎，其他和未特指的", "Acute appendicitis, other and unspecified"),
    ("S72.0", "股骨颈骨折", "Fracture of neck of femur"),
    ("O80.9", "单胎顺产，未特指", "Single spontaneous delivery, unspecified"),
    ("A15.0", "肺结核，经显微镜下痰检查证实", "Tuberculosis of lung, confirmed by sputum microscopy"),
]


def valid_format(code: str) -> bool:
    return bool(CODE_PATTERN.match(code or ""))


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def load_seed(apps, schema_editor):
    """Migration step: the seed table (an administrator adds the rest)."""
    Diagnosis = apps.get_model("insurance", "Diagnosis")
    for code, zh, en in SEED:
        Diagnosis.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
