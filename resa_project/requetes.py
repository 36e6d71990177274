"""Read queries compiled once per process, for the few that hot requests run every time.

Building a queryset and compiling it to SQL costs more than running an indexed lookup
(about 0.5 ms against 0.1 ms for the token lookup of every authenticated request). A
``RequeteCompilee`` builds its queryset once per database with sentinel values where the
parameters go, keeps the SQL, the positions of those values and the ORM's converters
(SQLite's text datetimes, JSON, booleans, decimals), then runs the same SQL with new values
through Django's cursor (so query counts, logging and the debug toolbar still see it).

The factory must use each parameter as it is (no arithmetic on it: pass a derived value as a
parameter of its own), and return a ``values_list()`` queryset.
"""

from datetime import UTC, date, datetime

from django.db import connections


def _sentinelle(type_, rang):
    if type_ is str:
        return f"\x00resa-valeur-{rang}\x00"
    if type_ is int:
        return 7_300_000_000_000 + 1_000 * rang + 417
    if type_ is datetime:
        return datetime(1901 + rang, 2, 3, 4, 5, 6, 789_000 + rang, tzinfo=UTC)
    if type_ is date:
        return date(1901 + rang, 2, 3)
    raise TypeError(f"RequeteCompilee: unsupported parameter type {type_!r}")


def _adapter(connexion, type_):
    if type_ is datetime:
        return connexion.ops.adapt_datetimefield_value
    if type_ is date:
        return connexion.ops.adapt_datefield_value
    return None


class RequeteCompilee:
    """``fabrique(*valeurs)`` returns a ``values_list()`` queryset using the values of
    ``types`` as parameters; ``lignes(*valeurs)`` runs it with other values."""

    def __init__(self, fabrique, types=(str,)):
        self._fabrique = fabrique
        self._types = tuple(types)
        self._compilees = {}

    def _compiler(self, alias):
        connexion = connections[alias]
        sentinelles = [_sentinelle(t, rang) for rang, t in enumerate(self._types)]
        compiler = self._fabrique(*sentinelles).using(alias).query.get_compiler(alias)
        sql, parametres = compiler.as_sql()
        parametres = list(parametres)
        places = []
        for sentinelle, type_ in zip(sentinelles, self._types, strict=True):
            adapter = _adapter(connexion, type_)
            vue = adapter(sentinelle) if adapter else sentinelle
            positions = [rang for rang, valeur in enumerate(parametres) if valeur == vue]
            if not positions:
                raise ValueError(f"RequeteCompilee: {sentinelle!r} is not a parameter of {sql}")
            places.append((positions, adapter))
        champs = [colonne[0] for colonne in compiler.select[: compiler.col_count]]
        compilee = (sql, parametres, places, compiler, compiler.get_converters(champs))
        self._compilees[alias] = compilee
        return compilee

    def lignes(self, *valeurs, using: str = "default") -> list[tuple]:
        sql, gabarit, places, compiler, convertisseurs = self._compilees.get(
            using
        ) or self._compiler(using)
        parametres = list(gabarit)
        for (positions, adapter), valeur in zip(places, valeurs, strict=True):
            if adapter is not None:
                valeur = adapter(valeur)
            for position in positions:
                parametres[position] = valeur
        with connections[using].cursor() as cursor:
            cursor.execute(sql, parametres)
            lignes = cursor.fetchall()
        if convertisseurs:
            lignes = [tuple(ligne) for ligne in compiler.apply_converters(lignes, convertisseurs)]
        return lignes
