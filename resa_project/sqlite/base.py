"""Django's SQLite backend, with each query's placeholders converted once.

Django writes SQL with ``%s`` placeholders and its SQLite cursor turns them into ``?`` on
every ``execute()`` with a regular expression that scans the whole statement: about 20 µs
for the token lookup of every request, more for the lists' wide SELECTs, often as much as
SQLite takes to run the query. The ORM sends the same few hundred statements again and
again, so the converted text is kept (up to ``CONVERSIONS_MAX`` statements, then forgotten
at once). Everything else is Django's backend (``settings.py`` selects this one for
``sqlite://`` URLs).
"""

from django.db.backends.sqlite3 import base

CONVERSIONS_MAX = 2048

_conversions: dict[str, str] = {}


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is not None:  # "pyformat" style: rare, left to Django
            return super().convert_query(query, param_names=param_names)
        converti = _conversions.get(query)
        if converti is None:
            converti = super().convert_query(query)
            if len(_conversions) >= CONVERSIONS_MAX:
                _conversions.clear()
            _conversions[query] = converti
        return converti


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
