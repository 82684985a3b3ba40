"""The demo tells the 2020 story: Shanghai's letter to Anhui about a train's close contacts,
replied person by person, one forwarded to Zhejiang; seeding twice changes nothing."""

from coordination.mechanisms.tracing_letters import demo as m1_demo
from coordination.mechanisms.tracing_letters.models import TracingLetter


def test_the_demo_letters_tell_the_train_story(m1):
    m1_demo.seed()
    m1_demo.seed()
    train = TracingLetter.objects.get(title=m1_demo.TRAIN_TITLE)
    assert train.originator.code == "sh-liaison" and train.state == "replied"
    assert sorted(train.persons.values_list("state", flat=True)) == [
        "moved_on",
        "not_found",
        "tested",
        "under_observation",
    ]
    [forward] = train.forwards.all()
    assert forward.originator.code == "ah-liaison" and forward.addressee_region_id == "330000"
    assert TracingLetter.objects.count() == 3
