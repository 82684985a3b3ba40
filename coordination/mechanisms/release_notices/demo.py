"""Demo release notices that tell the 2020 story: workers observed in Anhui after returning from
Hubei, released and recognised in Jiangsu and Zhejiang without a second observation; one notice
revoked (issued for the wrong person)."""

from datetime import timedelta


def seed() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from coordination.mechanisms.release_notices.models import ReleaseNotice
    from coordination.mechanisms.release_notices.services import release_notice_issue
    from coordination.models import Region
    from coordination.pii import idcard
    from coordination.workflow.engine import transition_fire

    officer = get_user_model().objects.filter(username="ah-liaison").first()
    if officer is None or ReleaseNotice.objects.exists():
        return
    officer.user_permissions.add(Permission.objects.get(codename="unmask_releasenotice"))
    today = timezone.localdate()
    people = [
        ("王建国", "34070219850312001", "centralised", "铜陵市集中医学观察点（铜陵宾馆）", "320000"),
        ("李秀英", "34010419900708002", "home", "合肥市蜀山区居家健康观察", "330000"),
        ("张伟", "34070219921121003", "centralised", "铜陵市集中医学观察点（铜陵宾馆）", "320000"),
    ]
    notices = []
    for offset, (name, first17, kind, place, destination) in enumerate(people):
        end = today - timedelta(days=1 + offset)
        notices.append(
            release_notice_issue(
                by=officer,
                person_name=name,
                id_number=idcard.with_check_character(first17),
                observation_kind=kind,
                observation_start=end - timedelta(days=14),
                observation_end=end,
                observation_place=place,
                destination_region=Region.objects.get(pk=destination),
                expires_at=timezone.now() + timedelta(days=30),
            )
        )
    transition_fire(
        ReleaseNotice,
        notices[-1].pk,
        "revoke",
        by=officer,
        data={"reason": "信息录入错误，已重新签发"},
    )
