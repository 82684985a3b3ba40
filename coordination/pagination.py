"""Pages for long lists: counting exactly what nobody pages through costs more than the page."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (a LIMIT-ed subquery the list's index answers at once); past
    it the page shows "cap+" and offers the first cap/per_page pages — filters narrow the rest."""

    cap = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
