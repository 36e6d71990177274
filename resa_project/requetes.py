"""Read queries compiled once per process, for the few that hot requests run every time.

Building a queryset and compiling it to SQL costs more than running an indexed lookup
(about 0.5 ms against 0.1 ms for the token lookup of every authenticated request). A
``RequeteCompilee`` builds its queryset once per database with sentinel values where the
parameters go, keeps the SQL, the positions of those values and the ORM's converters
(SQLite's text datetimes, JSON, booleans, decimals), then runs the same SQL with new values
through Django's cursor (so query counts, logging and the debug toolbar still see it).

The factory must use each parameter as it is (no arithmetic on it: pass a derived value as a
parameter of its own), and return a ``values_list()`` queryset. ``RequeteParForme`` does the
same for a query whose structure varies (filters present or not, the order, the slice):
one compiled query per shape.
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


class _Compilee:
    """One query's SQL with the places of its parameters, ready to run with new values."""

    def __init__(self, alias, types, queryset_de, *, convertir):
        connexion = connections[alias]
        sentinelles = [_sentinelle(t, rang) for rang, t in enumerate(types)]
        compiler = queryset_de(*sentinelles).using(alias).query.get_compiler(alias)
        self.sql, parametres = compiler.as_sql()
        self.gabarit = list(parametres)
        self.places = []
        for sentinelle, type_ in zip(sentinelles, types, strict=True):
            adapter = _adapter(connexion, type_)
            vue = adapter(sentinelle) if adapter else sentinelle
            positions = [rang for rang, valeur in enumerate(self.gabarit) if valeur == vue]
            if not positions:
                raise ValueError(
                    f"RequeteCompilee: {sentinelle!r} is not a parameter of {self.sql}"
                )
            self.places.append((positions, adapter))
        self.compiler = compiler
        self.convertisseurs = None
        if convertir:
            champs = [colonne[0] for colonne in compiler.select[: compiler.col_count]]
            self.convertisseurs = compiler.get_converters(champs)

    def lignes(self, valeurs, alias) -> list[tuple]:
        parametres = list(self.gabarit)
        for (positions, adapter), valeur in zip(self.places, valeurs, strict=True):
            if adapter is not None:
                valeur = adapter(valeur)
            for position in positions:
                parametres[position] = valeur
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, parametres)
            lignes = cursor.fetchall()
        if self.convertisseurs:
            return [
                tuple(ligne)
                for ligne in self.compiler.apply_converters(lignes, self.convertisseurs)
            ]
        return lignes


class RequeteCompilee:
    """``fabrique(*valeurs)`` returns a ``values_list()`` queryset using the values of
    ``types`` as parameters; ``lignes(*valeurs)`` runs it with other values.

    ``convertir=False`` returns the driver's tuples as they are (no ORM converter: SQLite's
    datetimes are then naive, in the connection's zone), for a caller that reads them
    itself."""

    def __init__(self, fabrique, types=(str,), *, convertir=True):
        self._fabrique = fabrique
        self._types = tuple(types)
        self._convertir = convertir
        self._compilees = {}

    def lignes(self, *valeurs, using: str = "default") -> list[tuple]:
        compilee = self._compilees.get(using)
        if compilee is None:
            compilee = self._compilees[using] = _Compilee(
                using, self._types, self._fabrique, convertir=self._convertir
            )
        return compilee.lignes(valeurs, using)


class RequeteParForme:
    """A ``RequeteCompilee`` per shape: ``fabrique(forme, *valeurs)`` returns the
    ``values_list()`` queryset of a query whose structure ``forme`` (hashable: which
    filters, which order, which slice) decides, with ``valeurs`` as its parameters, their
    types (str, int, datetime, date) read from the values themselves. At most ``maximum``
    shapes are kept (the cache is emptied past them: a slice's bounds are part of it)."""

    def __init__(self, fabrique, *, convertir=True, maximum=1000):
        self._fabrique = fabrique
        self._convertir = convertir
        self._maximum = maximum
        self._compilees = {}

    def lignes(self, forme, *valeurs, using: str = "default") -> list[tuple]:
        types = tuple(map(type, valeurs))
        cle = (using, forme, types)
        compilee = self._compilees.get(cle)
        if compilee is None:
            if len(self._compilees) >= self._maximum:
                self._compilees.clear()
            compilee = self._compilees[cle] = _Compilee(
                using,
                types,
                lambda *sentinelles: self._fabrique(forme, *sentinelles),
                convertir=self._convertir,
            )
        return compilee.lignes(valeurs, using)
