"""Demo red/yellow lists of February 2020's kind: each region's liaison office has uploaded
yesterday's and today's list (a few dozen people each; the scale bench loads a million)."""

import random
from datetime import timedelta


def seed() -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from coordination.mechanisms.health_codes.ingest import batch_rows, list_ingest
    from coordination.mechanisms.health_codes.models import CodeList
    from coordination.pii import idcard

    if CodeList.objects.exists():
        return
    rng = random.Random(2020)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    for abbr, prefix in (("sh", "310101"), ("js", "320102"), ("zj", "330102"), ("ah", "340702")):
        officer = get_user_model().objects.filter(username=f"{abbr}-liaison").first()
        if officer is None:
            continue
        organisation = officer.membership.organisation
        people = [
            idcard.with_check_character(
                f"{prefix}19{rng.randint(50, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{n:03d}"
            )
            for n in range(40)
        ]
        for days_ago in (1, 0):
            entries = [
                {"id_number": number, "colour": "red" if index % 5 == 0 else "yellow"}
                for index, number in enumerate(people[days_ago * 5 :])
            ]
            list_ingest(
                by=officer,
                organisation=organisation,
                region=organisation.region.province,
                list_date=today - timedelta(days=days_ago),
                rows=batch_rows(entries),
            )
