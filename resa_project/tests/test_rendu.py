"""The fast read path renders exactly what DRF renders (resa_project.rendu, .renderers)."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from accounts.models import Autorisation
from accounts.serializers import UserPublicSerializer
from accounts.tests.factories import UserFactory
from resa_project.renderers import JSONRapideRenderer
from resa_project.rendu import RenduRapide
from reservations.serializers import ReservationSerializer
from reservations.tests.factories import ReservationFactory
from ressources.models import Ressource
from ressources.serializers import RessourceSerializer
from ressources.services import ajouter_favori
from ressources.tests.factories import RessourceFactory
from sites.models import Department
from sites.serializers import DepartmentSerializer, SiteSerializer
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _identiques(serializer_class, instances, **kwargs):
    for instance in instances:
        serializer = serializer_class(instance, **kwargs)
        rapide = serializer.to_representation(instance)
        assert rapide == serializer.representation_drf(instance)
        assert list(rapide) == list(serializer.representation_drf(instance))  # key order
    liste = serializer_class(instances, many=True, **kwargs).data
    assert liste == [serializer_class(i, **kwargs).representation_drf(i) for i in instances]
    return liste


def test_a_user_renders_as_drf_renders_it_with_and_without_optional_values():
    avec = UserFactory(autorisations=[Autorisation.CONFIRMER_RESERVATIONS])
    sans = UserFactory(site_principal=None, autorisations=[])
    liste = _identiques(UserPublicSerializer, [avec, sans])
    assert liste[1]["site_principal_id"] is None
    assert liste[0]["date_creation"].endswith(("+01:00", "+02:00"))  # the organisation's zone


def test_sites_and_departments_render_their_hours_and_decimals_as_drf_does():
    site = SiteFactory(horaires_ouverture=time(7, 30), horaires_fermeture=time(19, 5))
    _identiques(SiteSerializer, [site, SiteFactory()])
    avec_budget = DepartmentFactory(site=site, budget_annuel=Decimal("12345.50"))
    liste = _identiques(DepartmentSerializer, [avec_budget, DepartmentFactory()])
    assert liste[0]["budgetAnnuel"] == Decimal("12345.50")
    assert liste[0]["site_id"] == site.pk
    assert liste[1]["budgetAnnuel"] is None and liste[1]["manager_id"] is None
    assert Department.objects.count() == 2


def test_ressources_render_as_drf_with_or_without_the_favourite_annotation():
    RessourceFactory(
        caracteristiques=["wifi", "projecteur"],
        tarifs_horaires=Decimal("12.5"),
        horaires_ouverture=time(8),
        horaires_fermeture=time(18),
    )
    RessourceFactory(description="", images=["https://exemple.fr/a.png"])
    favori = UserFactory()
    ressources = list(Ressource.objects.avec_est_favori(favori).order_by("pk"))
    liste = _identiques(RessourceSerializer, ressources)
    assert liste[0]["tarifs_horaires"] == Decimal("12.50")
    assert liste[0]["est_favori"] is False
    _identiques(RessourceSerializer, list(Ressource.objects.order_by("pk")))


def test_a_list_of_values_renders_as_drf_renders_the_instances():
    RessourceFactory(caracteristiques=["wifi"], tarifs_horaires=Decimal("9.99"))
    RessourceFactory(horaires_ouverture=time(9), horaires_fermeture=time(17, 30))
    favori = UserFactory()
    ajouter_favori(Ressource.objects.order_by("pk").last(), par=favori)
    queryset = Ressource.objects.avec_est_favori(favori).order_by("pk")
    attendu = [RessourceSerializer(r).representation_drf(r) for r in queryset]
    obtenu = RessourceSerializer.depuis_valeurs(RessourceSerializer.en_valeurs(queryset))
    assert obtenu == attendu
    assert [o["est_favori"] for o in obtenu] == [False, True]
    assert [list(o) for o in obtenu] == [list(a) for a in attendu]


def test_a_serializer_whose_method_field_has_no_column_cannot_render_values():
    with pytest.raises(TypeError, match="salut"):
        _AvecContexte.en_valeurs(Ressource.objects.all())


def test_reservations_render_their_moments_in_the_organisations_zone_as_drf_does():
    ete = ReservationFactory(
        debut=datetime(2027, 7, 1, 8, 0, tzinfo=UTC), fin=datetime(2027, 7, 1, 9, 15, tzinfo=UTC)
    )
    hiver = ReservationFactory(
        debut=datetime(2027, 1, 5, 8, 0, 0, 123456, tzinfo=UTC),
        fin=datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
        note="Note\u2028avec séparateur",
    )
    liste = _identiques(ReservationSerializer, [ete, hiver])
    assert liste[0]["debut"] == "2027-07-01T10:00:00+02:00"
    assert liste[1]["debut"] == "2027-01-05T09:00:00.123456+01:00"
    assert liste[1]["serie_id"] is None and liste[1]["checkin_le"] is None


class _AvecContexte(RenduRapide, serializers.Serializer):
    """Method fields read the serializer at hand, not the one the plan was built from."""

    nom = serializers.CharField()
    salut = serializers.SerializerMethodField()
    enfants = serializers.ListField(child=serializers.IntegerField())

    def get_salut(self, objet):
        return f"{self.context['formule']} {objet['nom']}"


def test_a_plan_built_once_still_reads_each_serializers_context():
    objet = {"nom": "Ada", "enfants": [1, None, 3]}
    assert _AvecContexte(objet, context={"formule": "Bonjour"}).data["salut"] == "Bonjour Ada"
    assert _AvecContexte(objet, context={"formule": "Salut"}).data["salut"] == "Salut Ada"
    assert _AvecContexte(objet, context={"formule": "Salut"}).data["enfants"] == [1, None, 3]


def test_a_row_the_plan_cannot_read_gets_drfs_own_behaviour():
    plan = _AvecContexte({"nom": "Ada", "enfants": []}, context={"formule": "Bonjour"}).data
    assert plan == {"nom": "Ada", "salut": "Bonjour Ada", "enfants": []}
    with pytest.raises(KeyError):  # DRF's error for a missing key, not a half-built dict
        _AvecContexte({"enfants": []}, context={"formule": "Bonjour"}).data  # noqa: B018


@pytest.mark.parametrize(
    "donnees",
    [
        {"moment": datetime(2027, 1, 5, 8, 0, 0, 123456, tzinfo=UTC), "jour": date(2027, 1, 5)},
        {"heure": time(7, 30), "prix": Decimal("12.50"), "texte": gettext_lazy("Réservé")},
        {"prix": [Decimal("0"), Decimal("-1234567.891"), Decimal("1E+3"), Decimal("0.1")]},
        {"lignes": [{"a": 1}, (2, 3)], 4: "clé entière", "vide": None, "vrai": True},
        {"séparateurs": "a\u2028b\u2029c", "emoji": "🚲"},
        [1, 2.5, "x"],
        {"grand": 2**70},  # beyond orjson's 64 bits: DRF's renderer takes over
    ],
)
def test_the_orjson_renderer_writes_the_bytes_drfs_renderer_writes(donnees):
    assert JSONRapideRenderer().render(donnees) == JSONRenderer().render(donnees)


def test_the_orjson_renderer_indents_on_request_like_drf():
    donnees = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert JSONRapideRenderer().render(donnees, media) == JSONRenderer().render(donnees, media)
    assert JSONRapideRenderer().render(None) == b""
