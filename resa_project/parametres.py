"""How every input value is read: one set of parsers for query parameters and body fields.

Every endpoint reads ids, booleans, dates, datetimes, windows and sorting through this
module (the FilterSets through its filters, query and body serializers through its DRF
fields), so a value is accepted or refused the same way everywhere (API.md, B+ "Inputs"):

- ids are integers in ``1 .. 2**63 - 1``;
- dates and datetimes have years in ``1900 .. 2999``; a datetime without offset is read in
  the organisation's zone (``TIME_ZONE``), and one that the daylight-saving change skips or
  repeats there is refused, asking for an offset;
- parsed datetimes are returned **in UTC**: Python compares and subtracts two aware
  datetimes of the same ``tzinfo`` by wall-clock time (ignoring ``fold``), which would make
  ``02:30+02:00`` and ``02:30+01:00`` (one hour apart, autumn change) equal;
- booleans are ``true`` or ``false``;
- anything else is a 400 naming the parameter.
"""

import copy
import re
from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

ID_MIN, ID_MAX = 1, 2**63 - 1
ANNEE_MIN, ANNEE_MAX = 1900, 2999
# Open bounds of a window given by only one end: inside every year a value may have, with
# a day of margin so that "24 h before" stays computable.
BORNE_MIN = datetime(ANNEE_MIN, 1, 2, tzinfo=UTC)
BORNE_MAX = datetime(ANNEE_MAX + 1, 1, 1, tzinfo=UTC)

MSG_ID = f"Identifiant invalide : attendu un entier entre {ID_MIN} et {ID_MAX}."
MSG_BOOLEEN = "Valeur booléenne attendue : true ou false."
MSG_ENTIER = "Entier attendu, au moins {minimum}."
MSG_ENTIER_BORNES = "Entier attendu, entre {minimum} et {maximum}."
MSG_DATE = "Date invalide : attendu une date ISO 8601 (AAAA-MM-JJ)."
MSG_DATE_HEURE = (
    "Date invalide : attendu une date ISO 8601 (AAAA-MM-JJ) ou une date et heure "
    "(AAAA-MM-JJTHH:MM[:SS][+HH:MM])."
)
MSG_HORS_LIMITES = f"Date hors de l'intervalle accepté ({ANNEE_MIN}-{ANNEE_MAX})."
MSG_HEURE_LOCALE = (
    "Cette heure n'existe pas ou existe deux fois dans le fuseau {fuseau} (changement "
    "d'heure) : précisez le décalage, par exemple +01:00 ou +02:00."
)
MSG_FENETRE = "au doit être postérieur à du."
MSG_CHOIX = "{nom} doit valoir {choix}."

_DATE_SEULE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CHIFFRES = re.compile(r"[0-9]+")


# --- The parsing rules, shared by form fields (FilterSets) and DRF fields ----------------


def lire_date(valeur) -> date:
    """A ``date`` (or an ISO ``AAAA-MM-JJ`` string) with a year in the accepted range."""
    if isinstance(valeur, datetime):
        valeur = valeur.date()
    if not isinstance(valeur, date):
        if not isinstance(valeur, str) or not _DATE_SEULE.match(valeur.strip()):
            raise ValidationError(MSG_DATE, code="invalid")
        try:
            valeur = date.fromisoformat(valeur.strip())
        except ValueError:
            raise ValidationError(MSG_DATE, code="invalid") from None
    if not ANNEE_MIN <= valeur.year <= ANNEE_MAX:
        raise ValidationError(MSG_HORS_LIMITES, code="hors_limites")
    return valeur


def _existe_une_fois(moment: datetime) -> bool:
    """The wall-clock time of ``moment`` (with its zone attached) exists, exactly once."""
    normalise = moment.astimezone(UTC).astimezone(moment.tzinfo)
    existe = normalise.replace(tzinfo=None) == moment.replace(tzinfo=None)
    return existe and moment.replace(fold=1 - moment.fold).utcoffset() == moment.utcoffset()


def rendre_conscient(naif: datetime) -> datetime:
    """A naive local time in the organisation's zone; refused when the DST change skips or
    repeats it (a guess would silently book the wrong hour)."""
    zone = timezone.get_current_timezone()
    moment = naif.replace(tzinfo=zone)
    if not _existe_une_fois(moment):
        raise ValidationError(
            MSG_HEURE_LOCALE.format(fuseau=timezone.get_current_timezone_name()),
            code="heure_locale",
        )
    return moment


def lire_moment(valeur, *, fin_de_journee: bool = False) -> datetime:
    """An aware datetime in UTC, from an ISO 8601 string or a ``datetime``.

    A plain date means its midnight, or with ``fin_de_journee`` the next midnight (so that
    ``au=J`` includes the whole day J).
    """
    if isinstance(valeur, str):
        texte = valeur.strip()
        if _DATE_SEULE.match(texte):
            jour = lire_date(texte)
            if fin_de_journee:
                jour += timedelta(days=1)
            return rendre_conscient(datetime.combine(jour, time.min)).astimezone(UTC)
        try:
            valeur = parse_datetime(texte)
        except ValueError:
            valeur = None
    if not isinstance(valeur, datetime):
        raise ValidationError(MSG_DATE_HEURE, code="invalid")
    if not ANNEE_MIN <= valeur.year <= ANNEE_MAX:
        raise ValidationError(MSG_HORS_LIMITES, code="hors_limites")
    if timezone.is_naive(valeur):
        valeur = rendre_conscient(valeur)
    return valeur.astimezone(UTC)


def lire_booleen(valeur) -> bool | None:
    """``true`` or ``false`` exactly (a JSON boolean in a body); empty is "not given"
    (None); anything else (``1``, ``yes``, ``TRUE``) is an error."""
    if valeur is None or valeur == "":
        return None
    if isinstance(valeur, bool):
        return valeur
    if valeur == "true":
        return True
    if valeur == "false":
        return False
    raise ValidationError(MSG_BOOLEEN, code="invalid")


# --- Form fields and filters (django-filter FilterSets) ----------------------------------


class IdField(forms.IntegerField):
    default_error_messages = {"invalid": MSG_ID, "min_value": MSG_ID, "max_value": MSG_ID}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        # ``int("1e3")`` and floats are not ids (Django's IntegerField would accept "1.0"),
        # nor are other scripts' digits ("١", "１"), which ``int()`` reads.
        if isinstance(value, str) and value.strip() and not _CHIFFRES.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class EntierField(forms.IntegerField):
    """A bounded integer (capacities, counts): never an overflow further down."""

    def __init__(self, *, min_value=0, max_value=ID_MAX, **kwargs):
        message = MSG_ENTIER.format(minimum=min_value)
        if max_value != ID_MAX:
            message = MSG_ENTIER_BORNES.format(minimum=min_value, maximum=max_value)
        kwargs.setdefault(
            "error_messages", {"invalid": message, "min_value": message, "max_value": message}
        )
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class BooleenField(forms.Field):
    def to_python(self, value):
        return lire_booleen(value)


class MomentField(forms.Field):
    """A datetime or a plain date (see ``lire_moment``)."""

    def __init__(self, *, fin_de_journee=False, **kwargs):
        self.fin_de_journee = fin_de_journee
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        return lire_moment(value, fin_de_journee=self.fin_de_journee)


@extend_schema_field({"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """An id (an ``exact`` filter on a key column)."""

    field_class = IdField


@extend_schema_field(OpenApiTypes.INT)
class EntierFilter(django_filters.NumberFilter):
    field_class = EntierField


@extend_schema_field(OpenApiTypes.BOOL)
class BooleenFilter(django_filters.Filter):
    field_class = BooleenField


@extend_schema_field(OpenApiTypes.DATETIME)
class BorneFilter(django_filters.Filter):
    """One bound of a time window; applied by the FilterSet (``FenetreMixin``), which knows
    both bounds."""

    field_class = MomentField

    def filter(self, qs, value):
        return qs


def filtre_choix(nom, choix, **kwargs):
    """A ``ChoiceFilter`` whose error names the parameter and its accepted values."""
    valeurs = [valeur for valeur, _ in choix]
    message = MSG_CHOIX.format(nom=nom, choix=_ou(valeurs))
    return django_filters.ChoiceFilter(
        choices=choix, error_messages={"invalid_choice": message}, **kwargs
    )


def _ou(valeurs) -> str:
    valeurs = list(valeurs)
    return valeurs[0] if len(valeurs) == 1 else f"{', '.join(valeurs[:-1])} ou {valeurs[-1]}"


class FenetreForm(forms.Form):
    """``au`` after ``du``, compared as instants."""

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du is not None and au is not None and au <= du:
            self.add_error("au", MSG_FENETRE)
        return donnees


class FenetreMixin:
    """``du``/``au`` of a list (declare them with ``filtres_fenetre()`` and use
    ``Meta.form = FenetreForm``); ``fenetre()`` gives the window with open ends filled."""

    def fenetre(self) -> tuple[datetime, datetime] | None:
        du, au = self.form.cleaned_data.get("du"), self.form.cleaned_data.get("au")
        if du is None and au is None:
            return None
        return du or BORNE_MIN, au or BORNE_MAX


def filtres_fenetre():
    return (
        BorneFilter(
            help_text="Début de la fenêtre (date et heure ISO 8601, ou date : minuit, fuseau "
            "de l'organisation)."
        ),
        BorneFilter(
            fin_de_journee=True,
            help_text="Fin de la fenêtre, exclue (date et heure ISO 8601, ou date : toute la "
            "journée incluse).",
        ),
    )


class FiltresLegers:
    """A FilterSet that does not rebuild its filters for every request.

    django-filter deep-copies every filter of the class, then builds each one's form field
    and a new form class, on every request: for the ressource list, a fifth of its time.
    Here each request gets a shallow copy of the class's filters (so ``parent``, and the
    methods given by name, are its own), sharing form fields built once per class, and one
    form class per FilterSet class, whose forms share its fields (validation does not change
    them). Filters whose field depends on the request (model choices with a ``queryset``
    callable) keep django-filter's own copies, and their FilterSet its own forms. The copies
    are made when first used (filtering), not for a FilterSet that only validates.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self._filtres_prets(queryset.model)
        self._filtres = None

    @property
    def filters(self):
        if self._filtres is None:
            modele = self.queryset.model
            self._filtres = {}
            for nom, filtre in self._filtres_prets(modele).items():
                if isinstance(filtre, django_filters.filters.QuerySetRequestMixin):
                    filtre = copy.deepcopy(filtre)
                else:
                    filtre = copy.copy(filtre)
                    if filtre.method is not None:
                        filtre.method = filtre.method  # its FilterMethod finds this FilterSet
                filtre.model, filtre.parent = modele, self
                self._filtres[nom] = filtre
        return self._filtres

    @filters.setter
    def filters(self, filtres):
        self._filtres = filtres

    @classmethod
    def _filtres_prets(cls, modele):
        """The class's filters, their labels and form fields computed once."""
        if cls.__dict__.get("_filtres_avec_champs") is not modele:
            for filtre in cls.base_filters.values():
                filtre.model = modele
                if not isinstance(filtre, django_filters.filters.QuerySetRequestMixin):
                    filtre.field  # noqa: B018 - cached on the filter (``_field``), shared
            cls._filtres_avec_champs = modele
        return cls.base_filters

    def get_form_class(self):
        classe = type(self).__dict__.get("_classe_formulaire")
        if classe is None:
            classe = super().get_form_class()
            if not any(
                isinstance(f, django_filters.filters.QuerySetRequestMixin)
                for f in self.base_filters.values()
            ):
                classe.base_fields = _ChampsPartages(classe.base_fields)
                type(self)._classe_formulaire = classe
        return classe


class _ChampsPartages(dict):
    """A filter form's ``base_fields`` that each form does not deep-copy: the fields only
    clean values (no widget is rendered, no field is changed per form), so they are shared."""

    def __deepcopy__(self, memo):
        return dict(self)


class FiltresBackend(django_filters.rest_framework.DjangoFilterBackend):
    """DjangoFilterBackend that leaves the FilterSet it applied on the view
    (``view.filterset_applique``), so ``meta`` reads the sort from it without a second one."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        view.filterset_applique = filterset
        return filterset


class TriMixin:
    """``sort_by``/``sort_order`` of a list: declare them with ``filtres_tri(tris, defaut)``
    and set ``tris`` (wire name -> model field) and ``tri_defaut``. Ties break on id, in the
    same direction."""

    tris: dict[str, str] = {}
    tri_defaut = ""

    def tri(self) -> tuple[str, str]:
        """``(sort_by, sort_order)`` as applied (the defaults when not given)."""
        donnees = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return donnees.get("sort_by") or self.tri_defaut, donnees.get("sort_order") or "asc"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort_by, sort_order = self.tri()
        signe = "-" if sort_order == "desc" else ""
        return queryset.order_by(f"{signe}{self.tris[sort_by]}", f"{signe}id")


def _sans_effet(queryset, name, value):
    return queryset


def filtres_tri(tris, defaut):
    """The ``sort_by`` and ``sort_order`` filters of a ``TriMixin`` FilterSet."""
    autres = [cle for cle in tris if cle != defaut]
    return (
        filtre_choix(
            "sort_by",
            [(cle, cle) for cle in tris],
            method=_sans_effet,
            help_text=f"Tri : {defaut} (par défaut), {_ou(autres)} ; à égalité, par id dans le "
            "même sens.",
        ),
        filtre_choix(
            "sort_order",
            [("asc", "asc"), ("desc", "desc")],
            method=_sans_effet,
            help_text="Sens du tri : asc (par défaut) ou desc.",
        ),
    )


def tri_applique(view) -> dict:
    """``{"sort_by", "sort_order"}`` a list view applied, for its ``meta``: read back from its
    FilterSet, never echoed from the raw query string."""
    filterset = getattr(view, "filterset_applique", None)
    if filterset is None:
        backend = django_filters.rest_framework.DjangoFilterBackend()
        filterset = backend.get_filterset(view.request, view.get_queryset(), view)
    filterset.is_valid()
    sort_by, sort_order = filterset.tri()
    return {"sort_by": sort_by, "sort_order": sort_order}


# --- DRF fields (body fields and query serializers) --------------------------------------


def _en_drf(fonction, *args, **kwargs):
    try:
        return fonction(*args, **kwargs)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


@extend_schema_field(OpenApiTypes.DATETIME)
class DateHeure(serializers.DateTimeField):
    """ISO 8601 with the module's rules (see ``lire_moment``): read into UTC, shown in the
    organisation's zone."""

    def to_internal_value(self, value):
        return _en_drf(lire_moment, value)


class DateBornee(serializers.DateField):
    def to_internal_value(self, value):
        return _en_drf(lire_date, value)


@extend_schema_field(OpenApiTypes.BOOL)
class Booleen(serializers.Field):
    """A body boolean: JSON ``true``/``false`` (or those two strings), nothing else."""

    def to_internal_value(self, data):
        valeur = _en_drf(lire_booleen, data)
        if valeur is None:
            raise serializers.ValidationError(MSG_BOOLEEN)
        return valeur

    def to_representation(self, value):
        return bool(value)


class ChampId(serializers.PrimaryKeyRelatedField):
    """A related object given by its id: out-of-range ids are refused before any query."""

    default_error_messages = {
        "incorrect_type": MSG_ID,
        "does_not_exist": "Objet inconnu (id {pk_value}).",
    }

    def to_internal_value(self, data):
        # A JSON integer: not a string, a float or a boolean (``True`` is an ``int``).
        if isinstance(data, bool) or not isinstance(data, int) or not ID_MIN <= data <= ID_MAX:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def parametre_booleen(request, nom: str, *, defaut: bool = False) -> bool:
    """A boolean query parameter of a view that has no FilterSet (``annuler_conflits``)."""
    try:
        valeur = lire_booleen(request.query_params.get(nom))
    except ValidationError as exc:
        raise serializers.ValidationError({nom: exc.messages}) from None
    return defaut if valeur is None else valeur
