"""The doorbell's rings: one per bucket of users, each user's notices in order, texts once."""

from types import SimpleNamespace

from django.utils import timezone

from notices import doorbell

NOW = timezone.now()


def notice(recipient, seq, title="t"):
    return SimpleNamespace(
        recipient_id=recipient,
        seq=seq,
        kind="case_created",
        reference="R",
        title_zh=title,
        title_en=title,
        body_zh="",
        body_en="",
        link="/",
        created_at=NOW,
        read_at=None,
    )


def test_users_of_one_bucket_share_one_ring_and_the_texts_once(monkeypatch):
    monkeypatch.setattr(doorbell, "BUCKETS", 4)
    rings = dict(doorbell.ring_messages([notice(1, 5), notice(5, 9), notice(3, 1)]))
    assert set(rings) == {"notices.b.1", "notices.b.3"}
    bucket = rings["notices.b.1"]
    assert bucket["type"] == "notices.ring"
    assert len(bucket["texts"]) == 1 and bucket["texts"][0]["title_zh"] == "t"
    assert bucket["to"] == {"1": [[0, 5]], "5": [[0, 9]]}
    assert rings["notices.b.3"]["to"] == {"3": [[0, 1]]}


def test_a_thousand_recipients_take_at_most_one_ring_per_bucket():
    rings = doorbell.ring_messages([notice(pk, 1) for pk in range(1, 1001)])
    assert len(rings) == doorbell.BUCKETS
    assert sum(len(message["to"]) for _group, message in rings) == 1000


def test_several_notices_for_one_user_keep_their_order_and_texts():
    notices = [notice(1, 3, "c"), notice(1, 1, "a"), notice(1, 2, "b")]
    ring = dict(doorbell.ring_messages(notices))[doorbell.bucket_group(1)]
    assert [(ring["texts"][i]["title_zh"], seq) for i, seq in ring["to"]["1"]] == [("a", 1), ("b", 2), ("c", 3)]


def test_a_ring_with_too_many_texts_carries_only_the_newest_number(monkeypatch):
    monkeypatch.setattr(doorbell, "MAX_TEXTS_PER_RING", 2)
    notices = [notice(1, seq, f"n{seq}") for seq in (1, 2, 3)]
    ring = dict(doorbell.ring_messages(notices))[doorbell.bucket_group(1)]
    assert ring["texts"] == [] and ring["to"] == {"1": [[-1, 3]]}
