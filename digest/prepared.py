"""Querysets compiled once per process (search.py's hot queries; see Prepared)."""

from datetime import UTC, datetime

from django.db import connection

# Stand-ins for a request's values in a prepared query: no request can send them (clean_query
# drops NUL; nothing is published in the year 1; ids are positive).
_NOW = datetime(1, 1, 2, tzinfo=UTC)


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
