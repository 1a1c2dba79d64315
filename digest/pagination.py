"""The site's pagination: strict page numbers and the original site's pagination line.

    « Previous 10 Entries  Page 1 ... 3 4 [5] 6 7 ... 200  Next 10 Entries »

A page number that is not a number, below 1 or past the last page is a 404 with a sentence
that says why, never a silent clamp. The number of entries can be supplied by the caller
(cached per content version) so deep archives don't count every row on every request, and a
page in the second half of a list is read from its far end, so the last page of 10,000 costs
what the first does instead of skipping 99,990 rows.

A list can also be read as a few fields of its rows (`fields`, e.g. the id and version an
entry is kept under). Then, when a page lies more than a few hundred rows from either end, its
ids are picked first in a subquery that reads nothing but the order index (status, publish
time, id), and only the page's own rows are read: OFFSET otherwise reads every row it skips.
Page-number URLs stay as they are.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .http import NotFound

ELLIPSIS = "..."


class CountedPaginator(Paginator):
    """A Paginator that trusts a count it is given instead of asking the database, reads
    pages in the second half of a list from its far end, and, given `fields`, gives each
    page as tuples of those fields, picking deep pages' ids from an index first."""

    # Fewer rows than this are skipped faster than a subquery is built.
    IDS_FIRST_FROM = 500

    def __init__(self, object_list, per_page, count=None, fields=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count
        self.fields = fields

    @cached_property
    def count(self):
        if self._known_count is not None:
            return self._known_count
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        # OFFSET reads and drops every row it skips: past the middle, skip from the other end
        # (the reversed order is the same index read backwards) and turn the page round.
        from_end = bottom > self.count // 2 and getattr(rows, "ordered", False)
        if from_end:
            rows, bottom, top = rows.reverse(), self.count - top, self.count - bottom
        if self.fields is None:
            items = rows[bottom:top]
        elif bottom < self.IDS_FIRST_FROM:
            items = rows.values_list(*self.fields)[bottom:top]
        else:
            items = rows.filter(pk__in=rows.values("pk")[bottom:top]).values_list(*self.fields)
        if from_end:
            items = list(items)
            items.reverse()
        return self._get_page(items, number, self)


def page_window(number, num_pages, on_each_side=2):
    """Page numbers of the pagination line: first, neighbours of `number`, last; gaps elided.

    Unlike Paginator.get_elided_page_range, a gap of a single page is elided too: the
    original site showed "1 ... 3 4 5 6 7 ... 200" on page 5, and readers know that line.

    >>> page_window(5, 200)
    [1, '...', 3, 4, 5, 6, 7, '...', 200]
    """
    shown = {1, num_pages, *range(number - on_each_side, number + on_each_side + 1)}
    pages = sorted(p for p in shown if 1 <= p <= num_pages)
    window = []
    for page in pages:
        if window and page - window[-1] > 1:
            window.append(ELLIPSIS)
        window.append(page)
    return window


def requested_page(request, param="page"):
    """The page number asked for in the query string; 404 with a reason if it is not one."""
    raw = request.GET.get(param, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise NotFound("That is not a page number: pages are numbered 1, 2, 3 …")
    number = int(raw)
    if number < 1:
        raise NotFound("Pages are numbered from 1.")
    return number


def paginate(request, queryset, count=None, per_page=None, fields=None):
    """The requested page of `queryset`, or a 404 that names the last page (`count` and
    `fields`: see CountedPaginator)."""
    paginator = CountedPaginator(
        queryset, per_page or settings.POSTS_PER_PAGE, count=count, fields=fields
    )
    number = requested_page(request)
    if number > paginator.num_pages:
        raise NotFound(f"There is no page {number} here; the last page is {paginator.num_pages}.")
    page = paginator.page(number)
    page.window = page_window(number, paginator.num_pages)
    return page
