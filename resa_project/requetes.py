"""Read queries compiled once per process, for the few that hot requests run every time.

Building a queryset and compiling it to SQL costs more than running an indexed lookup
(about 0.5 ms against 0.1 ms for the token lookup of every authenticated request). A
``RequeteCompilee`` builds its queryset once per database with sentinel values where the
parameters go, keeps the SQL, the places of those values among its parameters and how the
ORM encoded each (as is, as a ``LIKE`` pattern, as a JSON list, through the connection's
datetime or date adapter, in the driver's integer wrapper such as psycopg's ``Int4``), and
the ORM's converters (SQLite's text datetimes, JSON, booleans, decimals); it then runs the
same SQL with new values, encoded the same way, through Django's cursor (so query counts,
logging and the debug toolbar still see it).

A query is compiled only when every sentinel is found, exactly: one written in the SQL
itself, or a parameter that looks made from one in another form (arithmetic on a value, an
unknown encoding), makes it ``NonCompilable``; so does an ORM that answers without SQL
(``EmptyResultSet``, ``FullResultSet``). The factory must therefore use each parameter as it
is (pass a derived value as a parameter of its own). ``RequeteParForme`` does the same for a
query whose structure varies (filters present or not, the order, the slice): one compiled
query per shape; with ``repli``, a shape that cannot be compiled answers None (logged once)
for the caller to take the ORM's path. With a ``memo`` (``resa_project.marques``), the
result of a shape whose SQL reads only the ``tables`` given (the stamp's) is kept per
parameter values while the stamp is unchanged.
"""

import json
import logging
import re
from datetime import UTC, date, datetime

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Count

journal = logging.getLogger(__name__)

_MARQUE = "zqxsentinelle"
_BASE_ENTIERE = 2_071_000_417
_ANNEE = 1901
_DATE_EN_TEXTE = re.compile(r"(\d{4})-\d\d-\d\d")
_TABLES_LUES = re.compile(r'\b(?:FROM|JOIN)\s+"([^"]+)"', re.IGNORECASE)
_HEURE_DU_SERVEUR = re.compile(
    r"\b(?:NOW|CURRENT_(?:DATE|TIME|TIMESTAMP)|LOCALTIME(?:STAMP)?|RANDOM)\b", re.IGNORECASE
)


class NonCompilable(ValueError):
    """The values of a query cannot all be placed among its parameters."""


def _sentinelle(type_, rang):
    if type_ is str:
        # Characters that LIKE patterns and JSON escape: each encoding gives another text.
        return f'{_MARQUE}{rang}%_\\"é'
    if type_ is int:
        # Inside every integer column's range (the ORM refuses an out-of-range value itself).
        return _BASE_ENTIERE + 1_009 * rang
    if type_ is datetime:
        return datetime(_ANNEE + rang, 2, 3, 4, 5, 6, 789_000 + rang, tzinfo=UTC)
    if type_ is date:
        return date(_ANNEE + rang, 2, 3)
    raise TypeError(f"RequeteCompilee: unsupported parameter type {type_!r}")


def _tel_quel(valeur):
    return valeur


def _encodages(connexion, sentinelle):
    """The ways a lookup may pass the value ``sentinelle`` stands for as a parameter (an
    integer's driver wrapper aside: ``_encodage``)."""
    if isinstance(sentinelle, str):
        return (
            _tel_quel,
            lambda v: f"%{connexion.ops.prep_for_like_query(v)}%",
            lambda v: json.dumps([v]),
        )
    if isinstance(sentinelle, datetime):
        return (connexion.ops.adapt_datetimefield_value,)
    if isinstance(sentinelle, date):
        return (connexion.ops.adapt_datefield_value,)
    return (_tel_quel,)


def _encodage(parametre, sentinelle, encodages):
    """Which of ``encodages`` gives ``parametre`` from ``sentinelle``, or None."""
    if type(sentinelle) is int:
        if (
            isinstance(parametre, int)
            and not isinstance(parametre, bool)
            and parametre == sentinelle
        ):
            # As is, or in the driver's wrapper of the column's type (psycopg's ``Int4``).
            return _tel_quel if type(parametre) is int else type(parametre)
        return None
    for encoder in encodages:
        vue = encoder(sentinelle)
        if type(parametre) is type(vue) and parametre == vue:
            return encoder
    return None


def _places(connexion, sentinelles, sql, parametres, *, toutes):
    """``[(rank of the value, encoder or None for as is, positions)]``: where each sentinel
    went. A sentinel may be absent unless ``toutes`` (a count does not read the annotation
    using the user), never written in the SQL itself nor in a parameter in another form."""
    encodages = [_encodages(connexion, sentinelle) for sentinelle in sentinelles]
    dates = any(isinstance(sentinelle, date) for sentinelle in sentinelles)
    annees = range(_ANNEE - 1, _ANNEE + len(sentinelles) + 1) if dates else range(0)
    places = {}
    for position, parametre in enumerate(parametres):
        trouvee = False
        for rang, sentinelle in enumerate(sentinelles):
            encoder = _encodage(parametre, sentinelle, encodages[rang])
            if encoder is not None:
                places.setdefault((rang, encoder), []).append(position)
                trouvee = True
        if not trouvee and _derivee(parametre, annees):
            raise NonCompilable(f"parameter {position} holds a sentinel in an unknown form")
    if _MARQUE in sql or any(str(s) in sql for s in sentinelles if type(s) is int):
        raise NonCompilable("a sentinel is written in the SQL")
    if toutes:
        placees = {rang for rang, _ in places}
        for rang, sentinelle in enumerate(sentinelles):
            if rang not in placees:
                raise NonCompilable(f"RequeteCompilee: {sentinelle!r} is not a parameter of {sql}")
    return [
        (rang, None if encoder is _tel_quel else encoder, tuple(positions))
        for (rang, encoder), positions in places.items()
    ]


def _derivee(parametre, annees) -> bool:
    """``parametre`` looks made from a sentinel: a text with the mark, a nearby integer, a
    date or datetime (or its text) in the sentinels' years."""
    if isinstance(parametre, bool):
        return False
    if isinstance(parametre, int):
        return _BASE_ENTIERE - 100 <= parametre <= _BASE_ENTIERE + 1_009 * 1_000
    if isinstance(parametre, date):
        return parametre.year in annees
    texte = str(parametre)
    en_date = _DATE_EN_TEXTE.match(texte)
    return _MARQUE in texte or (en_date is not None and int(en_date[1]) in annees)


def _convertir(compiler):
    """The rows with the ORM's converters applied, or None when no column has one."""
    champs = [colonne[0] for colonne in compiler.select[: compiler.col_count]]
    convertisseurs = compiler.get_converters(champs)
    if not convertisseurs:
        return None
    return lambda lignes: [
        tuple(ligne) for ligne in compiler.apply_converters(lignes, convertisseurs)
    ]


def lit_seulement(sql: str, tables) -> bool:
    """Whether ``sql`` reads no table but ``tables`` (and reads one), and nothing of the
    server's clock or randomness: its result then changes only when those tables do."""
    lues = set(_TABLES_LUES.findall(sql))
    return bool(lues) and lues <= set(tables) and not _HEURE_DU_SERVEUR.search(sql)


def requete_du_total(queryset):
    """What ``queryset.count()`` runs, as a query to compile: its rows counted, no order,
    no slice, no annotation selected (``premiere_valeur`` renders its row)."""
    requete = queryset.query.chain()
    requete.clear_ordering(force=True)
    requete.clear_limits()
    requete.clear_select_clause()
    requete.add_annotation(Count("*"), "__count", select=True)
    return requete


def premiere_valeur(forme, compiler):
    """A ``rendu`` of ``RequeteParForme``: the first column of the first row (a count)."""
    return _premiere_valeur


def _premiere_valeur(lignes):
    return lignes[0][0]


class _Compilee:
    """One query's SQL with the places of its values, ready to run with new values.

    ``requete_de(*sentinelles)`` returns the queryset (or the ``Query``) to compile, one
    sentinel per type of ``types``; ``rendu(compiler)`` what turns the driver's rows into
    the result (None: the rows as they are)."""

    def __init__(self, alias, types, requete_de, *, rendu=None, toutes=True):
        connexion = connections[alias]
        sentinelles = [_sentinelle(t, rang) for rang, t in enumerate(types)]
        requete = requete_de(*sentinelles)
        compiler = getattr(requete, "query", requete).get_compiler(alias)
        try:
            self.sql, parametres = compiler.as_sql()
        except (EmptyResultSet, FullResultSet, ValueError) as exc:
            raise NonCompilable(f"{type(exc).__name__}: {exc}") from exc
        self.gabarit = list(parametres)
        self.places = _places(connexion, sentinelles, self.sql, self.gabarit, toutes=toutes)
        self.alias = alias
        self.rendre = rendu(compiler) if rendu is not None else None
        self.memorisable = False  # RequeteParForme's memo

    def lignes(self, valeurs):
        parametres = list(self.gabarit)
        for rang, encoder, positions in self.places:
            valeur = valeurs[rang]
            if encoder is not None:
                valeur = encoder(valeur)
            for position in positions:
                parametres[position] = valeur
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, parametres)
            lignes = cursor.fetchall()
        return lignes if self.rendre is None else self.rendre(lignes)


class RequeteCompilee:
    """``fabrique(*valeurs)`` returns a ``values_list()`` queryset using the values of
    ``types`` as parameters; ``lignes(*valeurs)`` runs it with other values.

    ``convertir=False`` returns the driver's tuples as they are (no ORM converter: SQLite's
    datetimes are then naive, in the connection's zone), for a caller that reads them
    itself."""

    def __init__(self, fabrique, types=(str,), *, convertir=True):
        self._fabrique = fabrique
        self._types = tuple(types)
        self._rendu = _convertir if convertir else None
        self._compilees = {}

    def lignes(self, *valeurs, using: str = "default") -> list[tuple]:
        compilee = self._compilees.get(using)
        if compilee is None:
            compilee = self._compilees[using] = _Compilee(
                using, self._types, self._fabrique, rendu=self._rendu
            )
        return compilee.lignes(valeurs)


class RequeteParForme:
    """A ``RequeteCompilee`` per shape: ``fabrique(forme, *valeurs)`` returns the
    ``values_list()`` queryset (or the ``Query``) of a query whose structure ``forme``
    (hashable: which filters, which order, which slice) decides, with ``valeurs`` as its
    parameters, their types (str, int, datetime, date) read from the values themselves.
    At most ``maximum`` shapes are kept (the cache is emptied past them: a slice's bounds
    are part of it).

    ``rendu(forme, compiler)``, if given, returns what turns the driver's rows into the
    result (in place of ``convertir``). With ``repli`` (the query's name in the log), a value
    need not appear among the parameters, and a shape that cannot be compiled answers None
    instead of raising ``NonCompilable``: the caller takes the ORM's path."""

    def __init__(
        self,
        fabrique,
        *,
        convertir=True,
        rendu=None,
        maximum=1000,
        repli=None,
        memo=None,
        tables=frozenset(),
    ):
        self._fabrique = fabrique
        self._rendu = rendu
        self._convertir = convertir
        self._maximum = maximum
        self._repli = repli
        self._memo = memo
        self._tables = frozenset(tables)
        self._compilees = {}

    def lignes(self, forme, *valeurs, using: str = "default", memorisee_seulement=False):
        """The result of ``forme`` with ``valeurs``; None when the shape cannot be compiled
        (with ``repli``), and with ``memorisee_seulement`` when its result cannot be kept
        (memos off, or SQL that reads other tables): a caller for whom the query is only
        worth running once then takes another path."""
        cle = (using, forme, tuple(map(type, valeurs)))
        compilee = self._compilees.get(cle, False)
        if compilee is False:
            compilee = self._compiler(forme, cle[2], using)
            if len(self._compilees) >= self._maximum:
                self._compilees.clear()
            self._compilees[cle] = compilee
        if compilee is None:
            return None
        if not compilee.memorisable:
            return None if memorisee_seulement else compilee.lignes(valeurs)
        if memorisee_seulement and not self._memo.actif():
            return None
        # The result is shared by the requests that read it: callers never change it.
        cle_memo = (cle, valeurs)
        resultat = self._memo.lire(cle_memo)
        if resultat is None:
            marque = self._memo.avant_lecture()
            resultat = compilee.lignes(valeurs)
            self._memo.garder(cle_memo, resultat, marque)
        return resultat

    def _compiler(self, forme, types, using):
        if self._rendu is not None:
            rendu = lambda compiler: self._rendu(forme, compiler)  # noqa: E731
        else:
            rendu = _convertir if self._convertir else None
        try:
            compilee = _Compilee(
                using,
                types,
                lambda *sentinelles: self._fabrique(forme, *sentinelles),
                rendu=rendu,
                toutes=self._repli is None,
            )
            compilee.memorisable = self._memo is not None and lit_seulement(
                compilee.sql, self._tables
            )
            return compilee
        except NonCompilable as exc:
            if self._repli is None:
                raise
            journal.warning("%s : forme %r non compilée (%s)", self._repli, forme, exc)
            return None
