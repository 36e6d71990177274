"""Fast output for the hot read serializers: DRF's exact JSON without DRF's per-request cost.

A DRF serializer builds its fields again for every request (a ModelSerializer maps each
model field to a serializer field, deep-copies the declared ones) and, per row and field,
goes through ``get_attribute``, ``SkipField`` handling and ``to_representation``. For a
list of 100 ressources that is most of the request. ``RenduRapide`` keeps the serializer
as it is (its fields still document the schema and parse input) and replaces only
``to_representation``: a per-class plan, built once per process from one instance's fields,
of ``(name, getter, converter)`` applied with plain ``getattr`` and the field's own
conversion. Anything the plan does not know how to shortcut (method fields, nested
serializers, hyperlinks) is asked of the serializer itself, and any surprise on a row
(an exception) falls back to DRF for that row, so the output is always DRF's.
"""

import decimal
from collections.abc import Mapping
from datetime import date, datetime, time
from operator import attrgetter

from django.utils import timezone
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.response import Response
from rest_framework.settings import api_settings

_ISO_8601 = "iso-8601"

# Modules whose fields' to_representation never reads the serializer's context.
_MODULES_SURS = ("rest_framework.", "resa_project.parametres")


def iso_drf(valeur: datetime) -> str:
    """DRF's DateTimeField output in ISO 8601: in the current zone, ``Z`` for UTC."""
    texte = valeur.astimezone(timezone.get_current_timezone()).isoformat()
    return texte[:-6] + "Z" if texte.endswith("+00:00") else texte


def _date_heure(champ):
    if (
        type(champ).to_representation is not serializers.DateTimeField.to_representation
        or hasattr(champ, "timezone")
        or getattr(champ, "format", api_settings.DATETIME_FORMAT) is None
        or getattr(champ, "format", api_settings.DATETIME_FORMAT).lower() != _ISO_8601
    ):
        return champ.to_representation

    def convertir(valeur):
        if isinstance(valeur, datetime) and valeur.tzinfo is not None:
            return iso_drf(valeur)
        return champ.to_representation(valeur)

    return convertir


def _decimal(champ):
    """DRF's DecimalField output with the quantizing context built once, not per value."""
    if (
        type(champ).to_representation is not serializers.DecimalField.to_representation
        or type(champ).quantize is not serializers.DecimalField.quantize
        or champ.decimal_places is None
        or champ.normalize_output
        or champ.localize
        or getattr(champ, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    ):
        return champ.to_representation
    exposant = decimal.Decimal(".1") ** champ.decimal_places
    arrondi = champ.rounding

    def convertir(valeur):
        if not isinstance(valeur, decimal.Decimal):
            return champ.to_representation(valeur)
        contexte = decimal.getcontext().copy()  # as DRF: the current context, its precision
        if champ.max_digits is not None:
            contexte.prec = champ.max_digits
        return valeur.quantize(exposant, rounding=arrondi, context=contexte)

    return convertir


def _conversion(champ):
    """The converter of one field, or None when the serializer must be asked (context)."""
    if isinstance(
        champ,
        serializers.BaseSerializer
        | serializers.SerializerMethodField
        | relations.HyperlinkedRelatedField
        | relations.ManyRelatedField,
    ):
        return None
    if isinstance(champ, serializers.DateTimeField):
        return _date_heure(champ)
    if isinstance(champ, serializers.DecimalField):
        return _decimal(champ)
    if isinstance(champ, relations.PrimaryKeyRelatedField):
        if champ.pk_field is None and type(champ).to_representation is (
            relations.PrimaryKeyRelatedField.to_representation
        ):
            return _cle
        return champ.to_representation
    if type(champ).to_representation is serializers.IntegerField.to_representation:
        return int
    if type(champ).to_representation is serializers.BigIntegerField.to_representation and not (
        getattr(champ, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
    ):
        return int
    if type(champ).to_representation is serializers.CharField.to_representation:
        return str
    if isinstance(champ, serializers.FileField):  # absolute URLs from the request
        return None
    if type(champ).to_representation.__module__.startswith(_MODULES_SURS):
        return champ.to_representation
    return None


def _cle(valeur):
    return valeur.pk


class _Colonne:
    __slots__ = ("nom", "lire", "convertir", "methode")

    def __init__(self, nom, lire, convertir, methode=None):
        self.nom, self.lire, self.convertir, self.methode = nom, lire, convertir, methode


def _lecteur(champ, exemple):
    """A getter equivalent to ``champ.get_attribute`` for this kind of instance."""
    attributs = champ.source_attrs
    if isinstance(champ, relations.RelatedField) or len(attributs) != 1 or champ.source == "*":
        return champ.get_attribute
    (attribut,) = attributs
    if isinstance(exemple, Mapping):
        return lambda instance: instance[attribut]
    if callable(getattr(exemple, attribut, None)):
        return champ.get_attribute  # a method as source: DRF calls it
    return attrgetter(attribut)


class RenduRapide:
    """Mixin (first in the bases) for output serializers whose fields do not depend on the
    request: same output as DRF's ``to_representation``, built from a per-class plan.

    Lists can skip model instances altogether: ``en_valeurs(queryset)`` selects, as tuples,
    the columns the fields read, and ``depuis_valeurs(lignes)`` turns them into the JSON
    objects. A method field takes part if ``colonnes_des_methodes`` says which annotated
    column gives it and how (``{"est_favori": ("est_favori", bool)}``).
    """

    colonnes_des_methodes: dict[str, tuple[str, object]] = {}

    @classmethod
    def en_valeurs(cls, queryset):
        """``queryset`` as tuples of the columns ``depuis_valeurs`` reads, in its order."""
        colonnes, _ = _plan_des_valeurs(cls)
        return queryset.values_list(*colonnes)

    @classmethod
    def depuis_valeurs(cls, lignes) -> list[dict]:
        """The representations of rows of ``en_valeurs``: what DRF gives for the instances."""
        _, plan = _plan_des_valeurs(cls)
        return [
            {
                nom: conversion(ligne[rang]) if toujours or ligne[rang] is not None else None
                for nom, rang, conversion, toujours in plan
            }
            for ligne in lignes
        ]

    def to_representation(self, instance):
        plan = _PLANS.get((type(self), isinstance(instance, Mapping)))
        if plan is None:
            plan = self._plan_de_rendu(instance)
        try:
            sortie = {}
            for colonne in plan:
                if colonne.methode is not None:
                    sortie[colonne.nom] = getattr(self, colonne.methode)(instance)
                    continue
                valeur = colonne.lire(instance)
                if colonne.convertir is None:
                    champ = self.fields[colonne.nom]
                    sortie[colonne.nom] = (
                        None if valeur is None else champ.to_representation(valeur)
                    )
                elif valeur is None or (
                    isinstance(valeur, relations.PKOnlyObject) and valeur.pk is None
                ):
                    sortie[colonne.nom] = None
                else:
                    sortie[colonne.nom] = colonne.convertir(valeur)
            return sortie
        except SkipField:
            return self.representation_drf(instance)
        except Exception:  # noqa: BLE001 - never differ from DRF: let DRF do (and raise)
            return self.representation_drf(instance)

    def representation_drf(self, instance):
        """DRF's own representation (the reference the tests compare with)."""
        return super().to_representation(instance)

    def _plan_de_rendu(self, exemple):
        plan = []
        for champ in self._readable_fields:
            if isinstance(champ, serializers.SerializerMethodField):
                plan.append(_Colonne(champ.field_name, None, None, methode=champ.method_name))
                continue
            plan.append(_Colonne(champ.field_name, _lecteur(champ, exemple), _conversion(champ)))
        plan = tuple(plan)
        _PLANS[(type(self), isinstance(exemple, Mapping))] = plan
        return plan


class ListeRapideMixin:
    """For a viewset whose serializer is a ``RenduRapide``: ``list`` renders the page from
    value tuples (``en_valeurs``/``depuis_valeurs``), no model instance per row."""

    def list(self, request, *args, **kwargs):
        classe = self.get_serializer_class()
        lignes = classe.en_valeurs(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(lignes)
        if page is None:
            return Response(classe.depuis_valeurs(lignes))
        return self.get_paginated_response(classe.depuis_valeurs(page))


_PLANS: dict[tuple[type, bool], tuple[_Colonne, ...]] = {}
_PLANS_DES_VALEURS: dict[type, tuple] = {}


def _identite(valeur):
    return valeur


def _plan_des_valeurs(classe):
    """``(columns, [(name, rank, conversion, also for None)])`` of a serializer class."""
    plan = _PLANS_DES_VALEURS.get(classe)
    if plan is not None:
        return plan
    colonnes, entrees = [], []
    for champ in classe()._readable_fields:
        nom = champ.field_name
        if isinstance(champ, serializers.SerializerMethodField):
            if nom not in classe.colonnes_des_methodes:
                raise TypeError(f"{classe.__name__}.{nom}: no column in colonnes_des_methodes")
            colonne, conversion = classe.colonnes_des_methodes[nom]
            toujours = True
        else:
            conversion = _conversion(champ)
            if conversion is None or len(champ.source_attrs) != 1 or champ.source == "*":
                raise TypeError(f"{classe.__name__}.{nom} cannot be rendered from values")
            colonne = champ.source
            toujours = False
            if isinstance(champ, relations.RelatedField):
                conversion = _identite  # values_list("site") gives the primary key
        entrees.append((nom, len(colonnes), conversion, toujours))
        colonnes.append(colonne)
    plan = (tuple(colonnes), tuple(entrees))
    _PLANS_DES_VALEURS[classe] = plan
    return plan


# --- Rows straight from the cursor -------------------------------------------------------

_ABSENT = object()
_MEMO_MAX = 4096
# Columns whose equal raw values may convert differently (0.0 and -0.0, 1.5 and 1.50) are
# memoised by ``(type, repr)``; in others, equal raw values are the same value.
_COLONNES_PAR_REPR = frozenset({"DecimalField", "FloatField"})
_SCALAIRES = (str, int, float, decimal.Decimal, type(None), time, date, datetime)


class _ColonneBrute:
    """One converted column: its rank, the conversion of one raw value, and its memo of
    immutable results (a list of scalars is kept and given as a tuple: it renders as the
    same JSON array, and no caller can change what the next response reads)."""

    def __init__(self, rang, calcul, par_repr):
        self.rang, self.calcul, self.memo = rang, calcul, {}
        self.cle = _cle_par_repr if par_repr else _meme
        memo = self.memo
        if par_repr:
            self.lire = lambda brute, defaut: memo.get(_cle_par_repr(brute), defaut)
        else:
            self.lire = memo.get

    def calculer(self, brute):
        """The conversion of a value the memo does not hold (kept when immutable)."""
        valeur = self.calcul(brute)
        if type(valeur) is list and all(isinstance(v, _SCALAIRES) for v in valeur):
            valeur = tuple(valeur)
        elif not isinstance(valeur, _SCALAIRES):
            return valeur
        if len(self.memo) >= _MEMO_MAX:
            self.memo.clear()
        self.memo[self.cle(brute)] = valeur
        return valeur


def _cle_par_repr(brute):
    return type(brute), repr(brute)


def _meme(brute):
    return brute


class LignesBrutes:
    """Turns the driver's rows of a compiled ``en_valeurs(queryset)`` into the JSON
    objects ``depuis_valeurs`` gives for that queryset's tuples, without the ORM's per-value
    converters: for each column, the ORM's converters then the field's conversion, computed
    once per distinct raw value (a type, a site, hours, a price, a JSON list) and reused,
    column by column; columns that neither converts (ids, integers, text) are taken as the
    driver gives them. Lists of scalars come out as tuples (the same JSON).

    Build it from the compiler that produced the SQL (``compiler.as_sql()`` called first)."""

    def __init__(self, classe, compiler):
        _, plan = _plan_des_valeurs(classe)
        connexion = compiler.connection
        expressions = [colonne[0] for colonne in compiler.select[: compiler.col_count]]
        if len(expressions) != len(plan):
            raise TypeError(f"{classe.__name__}: {len(expressions)} columns for {len(plan)}")
        convertisseurs = compiler.get_converters(expressions)
        self.noms = tuple(nom for nom, _, _, _ in plan)
        colonnes = []
        for _, rang, conversion, toujours in plan:
            orm = convertisseurs.get(rang)
            if orm is None and conversion in (str, int, _identite):
                continue
            type_interne = expressions[rang].output_field.get_internal_type()
            calcul = _chaine(orm, conversion, toujours, connexion)
            colonnes.append(_ColonneBrute(rang, calcul, type_interne in _COLONNES_PAR_REPR))
        self.colonnes = tuple(colonnes)
        self._lectures = tuple((c.rang, c.lire, c) for c in colonnes)

    def __call__(self, lignes) -> list[dict]:
        noms, lectures = self.noms, self._lectures
        objets = []
        for ligne in lignes:
            valeurs = list(ligne)
            for rang, lire, colonne in lectures:
                brute = valeurs[rang]
                try:
                    valeur = lire(brute, _ABSENT)
                except TypeError:  # unhashable: converted each time
                    valeur = colonne.calcul(brute)
                if valeur is _ABSENT:
                    valeur = colonne.calculer(brute)
                valeurs[rang] = valeur
            objets.append(dict(zip(noms, valeurs)))  # noqa: B905 - lengths checked once
        return objets


def _chaine(orm, conversion, toujours, connexion):
    """raw value -> the ORM's value (its converters, in order) -> ``depuis_valeurs``'."""
    fonctions, expression = orm if orm is not None else ((), None)

    def calcul(brute):
        valeur = brute
        for fonction in fonctions:
            valeur = fonction(valeur, expression, connexion)
        if toujours or valeur is not None:
            return conversion(valeur)
        return None

    return calcul
