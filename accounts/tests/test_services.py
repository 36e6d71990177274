"""The services that write users: the actor is required (``None`` for the system), the
"no admin locks themselves out" rule is theirs, and a referenced account is not deleted."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import AuthToken, Role, User
from accounts.services import MSG_SOI_MEME
from accounts.tests.factories import UserFactory
from resa_project.erreurs import ConflitEtat, ObjetReference
from reservations.tests.factories import ReservationFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

MOT_DE_PASSE = "Un-secret-solide-2026"


def _champs(**valeurs):
    return {
        "email": "nouvelle.recrue@example.com",
        "nom_utilisateur": "nrecrue",
        "nom_prenom": "Nouvelle Recrue",
        "site_principal": SiteFactory(),
        **valeurs,
    }


@pytest.mark.parametrize(
    "appel",
    [
        lambda: services.creer_utilisateur(password=MOT_DE_PASSE, **_champs()),
        lambda: services.modifier_utilisateur(UserFactory(), nom_prenom="Autre Nom"),
        lambda: services.supprimer_utilisateur(UserFactory()),
    ],
    ids=["creer", "modifier", "supprimer"],
)
def test_every_service_requires_the_actor(appel):
    with pytest.raises(TypeError, match="par"):
        appel()


def test_an_admin_creates_an_account_with_a_validated_hashed_password(admin_user):
    user = services.creer_utilisateur(
        par=admin_user, password=MOT_DE_PASSE, role=Role.MANAGER, **_champs()
    )

    assert User.objects.get(pk=user.pk).check_password(MOT_DE_PASSE)
    with pytest.raises(ValidationError) as erreur:
        services.creer_utilisateur(
            par=admin_user, password="123456789", **_champs(email="b@example.com")
        )
    assert "password" in erreur.value.message_dict


def test_the_system_may_store_an_already_hashed_password():
    user = services.creer_utilisateur(
        par=None, mot_de_passe_hache=make_password(MOT_DE_PASSE), **_champs()
    )

    assert User.objects.get(pk=user.pk).check_password(MOT_DE_PASSE)


@pytest.mark.parametrize(
    "mots_de_passe",
    [{}, {"password": MOT_DE_PASSE, "mot_de_passe_hache": make_password(MOT_DE_PASSE)}],
    ids=["aucun", "les-deux"],
)
def test_a_new_account_needs_exactly_one_password(mots_de_passe):
    with pytest.raises(TypeError):
        services.creer_utilisateur(par=None, **mots_de_passe, **_champs())

    assert not User.objects.filter(nom_utilisateur="nrecrue").exists()


@pytest.mark.parametrize(
    "changement", [{"role": Role.EMPLOYE}, {"compte_actif": False}], ids=["role", "inactif"]
)
def test_an_admin_may_not_lock_themselves_out(admin_user, changement):
    with pytest.raises(ConflitEtat) as erreur:
        services.modifier_utilisateur(admin_user, par=admin_user, **changement)

    assert erreur.value.detail == MSG_SOI_MEME
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert admin_user.compte_actif


def test_the_system_may_deactivate_any_account_and_it_closes_its_sessions(admin_user):
    AuthToken.emettre(admin_user)

    services.modifier_utilisateur(admin_user, par=None, compte_actif=False)

    admin_user.refresh_from_db()
    assert not admin_user.compte_actif
    assert not AuthToken.objects.filter(user=admin_user).exists()


def test_an_admin_may_not_delete_themselves(admin_user):
    with pytest.raises(ConflitEtat):
        services.supprimer_utilisateur(admin_user, par=admin_user)

    assert User.objects.filter(pk=admin_user.pk).exists()


@pytest.mark.parametrize(
    ("referencer", "nommes"),
    [
        (lambda user: ReservationFactory(user=user), "réservations"),
        (lambda user: DepartmentFactory(manager=user), "départements"),
    ],
    ids=["reservation", "department"],
)
def test_deleting_a_referenced_account_is_an_objet_reference(admin_user, referencer, nommes):
    user = UserFactory(role=Role.MANAGER)
    referencer(user)

    with pytest.raises(ObjetReference) as erreur:
        services.supprimer_utilisateur(user, par=admin_user)

    assert f"({nommes})" in erreur.value.detail
    assert User.objects.filter(pk=user.pk).exists()


def test_an_account_nothing_refers_to_is_deleted_by_the_system():
    user = UserFactory()

    services.supprimer_utilisateur(user, par=None)

    assert not User.objects.filter(pk=user.pk).exists()
