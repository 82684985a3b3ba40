"""Long lists count only up to a cap."""

from coordination.models import Region
from coordination.pagination import CappedPaginator


def test_a_list_longer_than_the_cap_counts_to_the_cap_plus_one(db):
    paginator = CappedPaginator(Region.objects.order_by("code"), 5)
    paginator.cap = 10
    assert paginator.count == 11 and paginator.capped
    assert paginator.num_pages == 3
    assert [r.code for r in paginator.page(3)] == ["320900"]


def test_a_short_list_counts_exactly(db):
    paginator = CappedPaginator(Region.objects.filter(level="province"), 5)
    assert paginator.count == 3 and not paginator.capped
