"""Reference data loaded by data migrations: the GB/T 2260 regions and the mechanism catalogue.

Plain data and loaders taking the migration's app registry, so that migrations stay valid
when the models change later.
"""

import csv
from datetime import date, timedelta
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions-gbt2260.csv"
PROVINCIAL_ABBR = {"310000": "SH", "320000": "JS", "330000": "ZJ", "340000": "AH"}
MUNICIPALITIES = {"310000"}

FEB_07 = date(2020, 2, 7)
FEB_27 = date(2020, 2, 27)

# code, name_zh, name_en, pattern, secondary pattern, agreed on, default deadline, basis
MECHANISMS = [
    (
        "M1",
        "确诊和疑似病例密切接触者信息快速沟通",
        "Rapid exchange on close contacts of confirmed and suspected cases (tracing letters)",
        "request_reply",
        "",
        FEB_07,
        timedelta(hours=4),
        "clock",
    ),
    (
        "M2",
        "健康观察解除告知单互认",
        "Mutual recognition of health-observation release notices",
        "credential",
        "",
        FEB_07,
        timedelta(hours=24),
        "clock",
    ),
    (
        "M3",
        "重大防疫管控举措相互通报",
        "Mutual notification of major measures; coordination assignment sheets",
        "notice_with_receipts",
        "request_reply",
        FEB_07,
        timedelta(hours=2),
        "clock",
    ),
    (
        "M4",
        "重要防疫物资互济互帮",
        "Mutual aid of key epidemic-prevention supplies",
        "request_offers_allocation",
        "",
        FEB_07,
        timedelta(hours=24),
        "clock",
    ),
    (
        "M5",
        "供应保障和恢复生产人员物资通行便利",
        "Passage for supplies and for people and goods resuming production",
        "request_reply",
        "credential",
        FEB_07,
        timedelta(hours=24),
        "clock",
    ),
    (
        "M6",
        "医疗诊治方案共享和危重病人会诊",
        "Sharing treatment plans and consultation on critical patients",
        "request_reply",
        "",
        FEB_07,
        timedelta(hours=4),
        "clock",
    ),
    (
        "M7",
        "应对长三角公共安全事件和应急管理",
        "Joint response to public-safety incidents and emergency management",
        "notice_with_receipts",
        "",
        FEB_07,
        timedelta(minutes=30),
        "clock",
    ),
    (
        "F1",
        "长三角健康码互认通用",
        "Mutual recognition of health codes across the Delta",
        "credential",
        "",
        FEB_27,
        timedelta(hours=24),
        "clock",
    ),
    (
        "F2",
        "产业链复工复产协同协作",
        "Supply-chain coordination for resuming work and production",
        "request_reply",
        "",
        FEB_27,
        timedelta(hours=72),
        "clock",
    ),
    (
        "F3",
        "企业复工复产复市用工招工协调协作",
        "Recruitment and point-to-point return of workers",
        "request_reply",
        "",
        FEB_27,
        timedelta(hours=72),
        "clock",
    ),
    # F4 and F5: public reporting names them as major-project and policy coordination; the
    # exact wording is unconfirmed (shared/DESIGN.md §2), so the names stay descriptive.
    (
        "F4",
        "重大项目协同推进",
        "Coordination of major projects",
        "notice_with_receipts",
        "",
        FEB_27,
        timedelta(hours=72),
        "clock",
    ),
    (
        "F5",
        "重大政策协同",
        "Coordination of major policies",
        "notice_with_receipts",
        "",
        FEB_27,
        timedelta(hours=72),
        "clock",
    ),
    (
        "INS",
        "医保异地备案",
        "Cross-region medical-insurance filing",
        "request_reply",
        "",
        None,
        timedelta(hours=8),
        "working_day",
    ),
]


def load_regions(apps, schema_editor):
    Region = apps.get_model("coordination", "Region")
    with REGIONS_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    for row in sorted(rows, key=lambda r: (r["level"] != "province", r["code"])):
        code = row["code"]
        level = "municipality" if code in MUNICIPALITIES else row["level"]
        Region.objects.update_or_create(
            code=code,
            defaults={
                "parent_id": row["parent_code"] or None,
                "level": level,
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "plate_prefix": row["plate_prefix"],
                "abbr": PROVINCIAL_ABBR.get(code, ""),
            },
        )


def load_mechanisms(apps, schema_editor):
    Mechanism = apps.get_model("coordination", "Mechanism")
    for order, (code, zh, en, pattern, secondary, agreed, deadline, basis) in enumerate(MECHANISMS, start=1):
        Mechanism.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "pattern": pattern,
                "secondary_pattern": secondary,
                "agreed_on": agreed,
                "default_deadline": deadline,
                "deadline_basis": basis,
                "sort_order": order,
            },
        )
