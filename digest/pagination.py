"""The site's pagination: strict page numbers and the original site's pagination line.

    « Previous 10 Entries  Page 1 ... 3 4 [5] 6 7 ... 200  Next 10 Entries »

`SitePaginator` is the one paginator of every list page (views.SiteListView uses it):

- A page number that is not a number, below 1 or past the last page is a 404 with a sentence
  that says why, never a silent clamp.
- The number of entries can be supplied by the caller (cached per content version) so deep
  archives don't count every row on every request.
- A page in the second half of a list is read from its far end, so the last page of 10,000
  costs what the first does instead of skipping 99,990 rows.
- A list can be read as a few fields of its rows (`fields`, e.g. the id and version an entry
  is kept under). Then, when a page lies more than a few hundred rows from either end, its ids
  are picked first in a subquery that reads nothing but the order index (status, publish time,
  id), and only the page's own rows are read: OFFSET otherwise reads every row it skips.

Its pages (`SitePage`) know their line: `page.line(query)` gives the links the template
`digest/_pagination.html` shows. Page-number URLs stay as they are.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from .http import NotFound

ELLIPSIS = "..."


class SitePaginator(Paginator):
    """A Paginator with strict page numbers, a count it may be given instead of asking the
    database, pages past the middle read from the far end, and, given `fields`, pages as
    tuples of those fields with deep pages' ids picked from an index first."""

    # Fewer rows than this are skipped faster than a subquery is built.
    IDS_FIRST_FROM = 500

    def __init__(self, object_list, per_page, count=None, fields=None, prepared=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count
        self.fields = fields
        # A digest.prepared.PreparedPage that reads the pages of this list with SQL compiled
        # once per process (the list's queryset is then used for nothing but its count).
        self.prepared = prepared

    @cached_property
    def count(self):
        if self._known_count is not None:
            return self._known_count
        return super().count

    def validate_number(self, number):
        """`number` (from `requested_page`) if this list has that page; else a 404 that names
        the last page."""
        if number > self.num_pages:
            raise NotFound(f"There is no page {number} here; the last page is {self.num_pages}.")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # OFFSET reads and drops every row it skips: past the middle, skip from the other end
        # (the reversed order is the same index read backwards) and turn the page round.
        ordered = self.prepared is not None or getattr(self.object_list, "ordered", False)
        from_end = bottom > self.count // 2 and ordered
        if from_end:
            bottom, top = self.count - top, self.count - bottom
        ids_first = self.fields is not None and bottom >= self.IDS_FIRST_FROM
        if self.prepared is not None:
            items = self.prepared.rows(self, bottom, top, from_end=from_end, ids_first=ids_first)
        else:
            items = self.rows_between(self.object_list, bottom, top, from_end, ids_first)
        if from_end:
            items = list(items)
            items.reverse()
        return self._get_page(items, number, self)

    def rows_between(self, rows, bottom, top, from_end, ids_first):
        """The rows `bottom` to `top` of `rows` (of its reverse, `from_end`): as they are, or
        as tuples of `fields`, their ids picked first in a subquery when `ids_first`."""
        if from_end:
            rows = rows.reverse()
        if self.fields is None:
            return rows[bottom:top]
        if not ids_first:
            return rows.values_list(*self.fields)[bottom:top]
        return rows.filter(pk__in=rows.values("pk")[bottom:top]).values_list(*self.fields)

    def _get_page(self, *args, **kwargs):
        return SitePage(*args, **kwargs)


class SitePage(Page):
    def line(self, query):
        """The pagination line of this page: {"previous": href or None, "links": [{"number",
        "href"}, …], "next": href or None}, numbers as text; the current page and the gaps
        ("...") have no href. `query` is the request's QueryDict: every link keeps its other
        parameters (a search's `q`), page last. Plain dicts: templates read them fastest."""
        others = query.copy()
        others.pop("page", None)
        prefix = f"?{others.urlencode()}&page=" if others else "?page="

        def href(number):
            return f"{prefix}{number}"

        # Numbers as text: a template localizes every number it shows, at a cost.
        links = [
            {
                "number": str(number),
                "href": None if number in (ELLIPSIS, self.number) else href(number),
            }
            for number in page_window(self.number, self.paginator.num_pages)
        ]
        return {
            "previous": href(self.number - 1) if self.has_previous() else None,
            "links": links,
            "next": href(self.number + 1) if self.has_next() else None,
        }


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
