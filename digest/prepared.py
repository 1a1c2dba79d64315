"""Querysets compiled once per process (search.py's hot queries; see Prepared)."""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

# Stand-ins for a request's values in a prepared query: no request can send them (clean_query
# drops NUL; nothing is published in the year 1; ids are positive).
_NOW = datetime(1, 1, 2, tzinfo=UTC)


# Stand-ins for a page's bounds, which Django writes into the SQL's LIMIT and OFFSET.
_OFFSET, _LIMIT = 987654321, 123456789


def _word_stand_in(n):
    return f"\x00{n}\x00"


class Prepared:
    """A query's SQL, compiled once per process and run with each request's values.

    Django builds and compiles a queryset's SQL on every evaluation; for the ranking,
    headline and quote queries that is 1–2 ms each, about what PostgreSQL takes to run them.
    Their shape is the same whatever is searched, so `build(text, now, ids, **shape)` is
    compiled once with stand-in values, and each run puts the request's values in the
    stand-ins' places among the parameters: its words (a word found inside a parameter is
    in a LIKE pattern, and escaped for it), its time and its ids. Published() and every
    other condition stay in the queryset `build` returns. A shape is compiled per number of
    words and of ids, and per `shape` (keyword arguments that change the SQL itself, such as
    a LIMIT).
    """

    def __init__(self, build):
        self.build = build
        self.compiled = {}

    def sql(self, text, now, ids=(), **shape):
        """The SQL and parameters of `build(text, now, ids, **shape)`."""
        words = text.split()
        text_stand_in = " ".join(_word_stand_in(n) for n in range(len(words)))
        id_stand_ins = [-n for n in range(1, len(ids) + 1)]
        key = (len(words), len(ids), *sorted(shape.items()))
        if key not in self.compiled:
            queryset = self.build(text_stand_in, _NOW, id_stand_ins, **shape)
            self.compiled[key] = queryset.query.get_compiler(queryset.db).as_sql()
        sql, params = self.compiled[key]
        # A database may take times as text: its own form of each is looked for.
        adapt = connection.ops.adapt_datetimefield_value
        values = {
            **{_word_stand_in(n): word for n, word in enumerate(words)},
            text_stand_in: text,
            adapt(_NOW): adapt(now),
            **dict(zip(id_stand_ins, ids, strict=True)),
        }
        return sql, [self._fill(param, values) for param in params]

    @staticmethod
    def _fill(param, values):
        if not isinstance(param, str) or "\x00" not in param:
            return values.get(param, param)
        if param in values:
            return values[param]
        for stand_in, word in values.items():
            if isinstance(stand_in, str) and stand_in in param:
                param = param.replace(stand_in, connection.ops.prep_for_like_query(word))
        if "\x00" in param:
            raise ValueError(f"a stand-in was left in a prepared query: {param!r}")
        return param

    def rows(self, text, now, ids=(), **shape):
        if connection.vendor != "postgresql":
            # Other databases return some values that Django converts (SQLite: times as
            # text); the embedded default runs the queryset as it is.
            return list(self.build(text, now, list(ids), **shape))
        with connection.cursor() as cursor:
            cursor.execute(*self.sql(text, now, ids, **shape))
            return cursor.fetchall()


class PreparedPage:
    """The pages of a list of posts read with SQL compiled once per process.

    Building and compiling the queryset of a page's ids and versions costs about three times
    what running it does (0.45 ms against 0.15). `build(now)` gives the list (ordered, its
    only request value the time); SitePaginator reads a page in one of four shapes (from the
    start or from the far end; the rows themselves or their ids picked first), and each is
    compiled once from `build` with stand-ins for the time and the page's bounds. A page is
    then the compiled SQL with its own bounds written in the LIMIT and OFFSET (integers the
    paginator computed) and its time among the parameters. Only for rows of plain values
    (ids, versions): they are returned as the database gives them.
    """

    def __init__(self, build):
        self.build = build
        self.compiled = {}

    def sql(self, paginator, bottom, top, now, **shape):
        """The SQL and parameters of rows `bottom` to `top` of `build(now)`, as the paginator
        would read them in this `shape` (from_end, ids_first)."""
        ops = connection.ops
        key = (tuple(paginator.fields), *sorted(shape.items()))
        if key not in self.compiled:
            rows = paginator.rows_between(self.build(_NOW), _OFFSET, _OFFSET + _LIMIT, **shape)
            sql, params = rows.query.get_compiler(rows.db).as_sql()
            bounds = ops.limit_offset_sql(_OFFSET, _OFFSET + _LIMIT)
            if sql.count(bounds) != 1:
                raise ValueError(f"the page's bounds are not where they were expected: {sql}")
            self.compiled[key] = (sql, params, bounds)
        sql, params, bounds = self.compiled[key]
        when = {ops.adapt_datetimefield_value(_NOW): ops.adapt_datetimefield_value(now)}
        sql = sql.replace(bounds, ops.limit_offset_sql(int(bottom), int(top)))
        return sql, [when.get(param, param) for param in params]

    def rows(self, paginator, bottom, top, now=None, **shape):
        with connection.cursor() as cursor:
            cursor.execute(*self.sql(paginator, bottom, top, now or timezone.now(), **shape))
            return cursor.fetchall()
