"""The event journal (API.md C1): every change from every entry point writes its event in
its own transaction, nothing is written for a refused or rolled-back change, and
``/reservations/{id}/historique`` reads it back."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import AdminFactory, UserFactory
from conftest import client_pour
from resa_project.canal import canal
from reservations import journal, regles, services
from reservations.models import (
    Canal,
    Evenement,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
    TypeEvenement,
)
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Ressource
from ressources.services import MSG_RESSOURCE_REFERENCEE
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL_ADMIN_RESERVATIONS = "/admin/reservations/reservation/"
URL_ADMIN_DISPONIBILITES = "/admin/reservations/resourceavailability/"
URL_ADMIN_RESSOURCES = "/admin/ressources/ressource/"


def iso(moment):
    return timezone.localtime(moment).isoformat()


@pytest.fixture
def salle(site_du_manager):
    return RessourceFactory(capacite_maximum=8, site=site_du_manager)


@pytest.fixture
def equipe(manager, employe):
    employe.department = DepartmentFactory(manager=manager)
    employe.save()
    return employe.department


@pytest.fixture
def sa_reservation(salle, employe, equipe):
    return ReservationFactory(ressource=salle, user=employe, debut=demain_a(10), fin=demain_a(11))


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def corps(ressource, debut=None, fin=None, **champs):
    return {
        "ressource_id": ressource.pk,
        "debut": (debut or demain_a(10)).isoformat(),
        "fin": (fin or demain_a(11)).isoformat(),
        **champs,
    }


def _types():
    return list(Evenement.objects.order_by("id").values_list("type", flat=True))


def _seul(**filtres):
    (evenement,) = Evenement.objects.filter(**filtres)
    return evenement


# Reservations through the API ---------------------------------------------------------------


def test_a_booking_records_its_creation_with_every_initial_value(
    client_employe, employe, equipe, salle
):
    reponse = client_employe.post(
        "/reservations/", corps(salle, description="Point", nbr_participants=3), format="json"
    )

    assert reponse.status_code == 201
    reservation = Reservation.objects.get()
    evenement = _seul()
    assert evenement.type == TypeEvenement.RESERVATION_CREEE
    assert evenement.reservation_id == reservation.pk
    assert evenement.acteur == employe
    assert evenement.canal == Canal.API
    assert evenement.date == reservation.date_modification
    assert evenement.changements == {
        "ressource_id": [None, salle.pk],
        "user_id": [None, employe.pk],
        "createur_id": [None, employe.pk],
        "debut": [None, iso(demain_a(10))],
        "fin": [None, iso(demain_a(11))],
        "statut": [None, "confirme"],
        "description": [None, "Point"],
        "nbr_participants": [None, 3],
        "note": [None, ""],
    }


def test_a_booking_freezes_the_beneficiarys_department_and_the_ressources_site(
    client_employe, employe, equipe, salle
):
    client_employe.post("/reservations/", corps(salle), format="json")
    reservation = Reservation.objects.get()
    assert (reservation.site_id, reservation.department_id) == (salle.site_id, equipe.pk)

    employe.department = DepartmentFactory()
    employe.save()
    reservation.refresh_from_db()
    assert reservation.department_id == equipe.pk


def test_a_move_to_another_site_takes_the_site_along_and_keeps_the_department(
    client_manager, sa_reservation, equipe
):
    ailleurs = RessourceFactory(site=SiteFactory())

    reponse = client_manager.put(
        f"/reservations/{sa_reservation.pk}", {"ressource_id": ailleurs.pk}, format="json"
    )

    assert reponse.status_code == 200, reponse.json()
    sa_reservation.refresh_from_db()
    assert sa_reservation.site_id == ailleurs.site_id
    assert sa_reservation.department_id == equipe.pk


def test_a_modification_lists_only_what_changed(client_employe, employe, sa_reservation):
    reponse = client_employe.put(
        f"/reservations/{sa_reservation.pk}",
        {"fin": demain_a(11, 30).isoformat(), "description": sa_reservation.description},
        format="json",
    )

    assert reponse.status_code == 200
    evenement = _seul()
    assert evenement.type == TypeEvenement.RESERVATION_MODIFIEE
    assert (evenement.acteur, evenement.canal) == (employe, Canal.API)
    assert evenement.changements == {"fin": [iso(demain_a(11)), iso(demain_a(11, 30))]}


def test_a_modification_that_changes_nothing_records_nothing(client_employe, sa_reservation):
    avant = Reservation.objects.get().date_modification

    reponse = client_employe.put(
        f"/reservations/{sa_reservation.pk}",
        {"debut": demain_a(10).isoformat(), "nbr_participants": 1},
        format="json",
    )

    assert reponse.status_code == 200
    assert not Evenement.objects.exists()
    assert Reservation.objects.get().date_modification == avant


def test_a_move_back_to_approval_lists_the_status_too(client_employe, employe):
    salle = RessourceFactory(validation_requise=True)
    reservation = ReservationFactory(ressource=salle, user=employe)

    client_employe.put(
        f"/reservations/{reservation.pk}", {"debut": demain_a(9).isoformat()}, format="json"
    )

    assert _seul().changements["statut"] == ["confirme", "en_cours"]


@pytest.mark.parametrize(
    ("action", "statut", "decalage", "type_attendu", "avant", "apres"),
    [
        ("annuler", StatutReservation.CONFIRME, 1, "reservation.annulee", "confirme", "annule"),
        (
            "confirmer",
            StatutReservation.EN_ATTENTE,
            1,
            "reservation.confirmee",
            "en_cours",
            "confirme",
        ),
        ("terminer", StatutReservation.CONFIRME, -1, "reservation.terminee", "confirme", "fini"),
        (
            "non-present",
            StatutReservation.CONFIRME,
            -1,
            "reservation.non_presente",
            "confirme",
            "non_present",
        ),
    ],
)
def test_each_status_change_through_the_api_records_its_event(
    client_manager, manager, sa_reservation, action, statut, decalage, type_attendu, avant, apres
):
    Reservation.objects.filter(pk=sa_reservation.pk).update(
        statut=statut, debut=demain_a(10, jours=decalage), fin=demain_a(11, jours=decalage)
    )

    reponse = client_manager.post(f"/reservations/{sa_reservation.pk}/{action}")

    assert reponse.status_code == 200, reponse.json()
    evenement = _seul()
    assert evenement.type == type_attendu
    assert (evenement.acteur, evenement.canal) == (manager, Canal.API)
    assert evenement.changements == {"statut": [avant, apres]}
    assert evenement.date == Reservation.objects.get().date_modification


def test_an_admin_delete_of_a_held_booking_is_journaled_as_a_cancellation_and_keeps_history(
    client_admin, admin_user, sa_reservation
):
    client_admin.put(f"/reservations/{sa_reservation.pk}", {"description": "Avant"}, format="json")

    reponse = client_admin.delete(f"/reservations/{sa_reservation.pk}")

    assert reponse.status_code == 200
    assert not Reservation.objects.exists()
    assert _types() == ["reservation.modifiee", "reservation.annulee"]
    supprimee = Evenement.objects.last()
    assert supprimee.reservation_id == sa_reservation.pk
    assert (supprimee.acteur, supprimee.canal) == (admin_user, Canal.API)
    assert supprimee.changements == {"statut": ["confirme", "annule"]}
    assert supprimee.note == services.MSG_SUPPRIMEE


def test_deleting_a_closed_booking_adds_no_event(client_admin, sa_reservation):
    Reservation.objects.filter(pk=sa_reservation.pk).update(statut=StatutReservation.FINI)

    assert client_admin.delete(f"/reservations/{sa_reservation.pk}").status_code == 200
    assert not Evenement.objects.exists()


# Nothing for a refused or rolled-back change ----------------------------------------------------


def test_a_booking_refused_because_the_slot_is_taken_leaves_no_event(
    client_employe, salle, employe
):
    ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))

    reponse = client_employe.post("/reservations/", corps(salle), format="json")

    assert reponse.status_code == 409
    assert not Evenement.objects.exists()


def test_a_booking_refused_by_a_rule_leaves_no_event(client_employe, salle):
    reponse = client_employe.post(
        "/reservations/", corps(salle, nbr_participants=99), format="json"
    )

    assert reponse.status_code == 400
    assert not Evenement.objects.exists()


def test_a_refused_status_change_leaves_no_event(client_manager, sa_reservation):
    reponse = client_manager.post(f"/reservations/{sa_reservation.pk}/confirmer")

    assert reponse.status_code == 409
    assert not Evenement.objects.exists()


def test_a_service_rolled_back_by_its_caller_leaves_no_event(employe, salle):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))
        assert Evenement.objects.count() == 1
        raise RuntimeError("rollback")

    assert not Reservation.objects.exists()
    assert not Evenement.objects.exists()


def test_a_validation_error_in_the_service_leaves_no_event(employe, salle):
    with pytest.raises(ValidationError):
        services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(10, 15))

    assert not Evenement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_journal_refuses_to_write_outside_a_transaction():
    sa_reservation = ReservationFactory()
    with pytest.raises(RuntimeError):
        journal.enregistrer(
            TypeEvenement.RESERVATION_MODIFIEE,
            par=None,
            reservation=sa_reservation,
            changements={},
        )


# Unavailability periods ----------------------------------------------------------------------


def test_a_period_records_its_creation_and_the_cancellations_it_causes(
    client_manager, manager, salle, sa_reservation
):
    reponse = client_manager.post(
        "/disponibilites/?annuler_conflits=true",
        {
            "ressource_id": salle.pk,
            "type_disponibilite": "maintenance",
            "debut": demain_a(9).isoformat(),
            "fin": demain_a(12).isoformat(),
            "raison_indisponibilite": "Peinture",
        },
        format="json",
    )

    assert reponse.status_code == 201, reponse.json()
    periode = ResourceAvailability.objects.get()
    creee, annulee = Evenement.objects.order_by("id")
    assert creee.type == TypeEvenement.DISPONIBILITE_CREEE
    assert (creee.disponibilite_id, creee.reservation_id) == (periode.pk, None)
    assert (creee.acteur, creee.canal) == (manager, Canal.API)
    assert creee.changements == {
        "ressource_id": [None, salle.pk],
        "type_disponibilite": [None, "maintenance"],
        "debut": [None, iso(demain_a(9))],
        "fin": [None, iso(demain_a(12))],
        "raison_indisponibilite": [None, "Peinture"],
        "recurrence": [None, "ponctuel"],
        "fin_recurrence": [None, None],
    }
    note = services.MSG_ANNULEE_PAR_INDISPONIBILITE.format(raison="Peinture")
    assert annulee.type == TypeEvenement.RESERVATION_ANNULEE
    assert (annulee.reservation_id, annulee.disponibilite_id) == (sa_reservation.pk, periode.pk)
    assert annulee.note == note
    assert annulee.changements == {"statut": ["confirme", "annule"], "note": ["", note]}


def test_a_period_refused_for_its_conflicts_leaves_no_event(client_manager, salle, sa_reservation):
    reponse = client_manager.post(
        "/disponibilites/",
        {
            "ressource_id": salle.pk,
            "type_disponibilite": "maintenance",
            "debut": demain_a(9).isoformat(),
            "fin": demain_a(12).isoformat(),
        },
        format="json",
    )

    assert reponse.status_code == 409
    assert not Evenement.objects.exists()


def test_a_period_update_lists_what_changed_and_its_deletion_the_last_values(
    client_manager, manager, salle
):
    periode = ResourceAvailabilityFactory(ressource=salle, debut=demain_a(12), fin=demain_a(14))

    client_manager.put(
        f"/disponibilites/{periode.pk}", {"raison_indisponibilite": "Vitres"}, format="json"
    )
    client_manager.put(
        f"/disponibilites/{periode.pk}", {"raison_indisponibilite": "Vitres"}, format="json"
    )
    reponse = client_manager.delete(f"/disponibilites/{periode.pk}")

    assert reponse.status_code == 200
    assert not ResourceAvailability.objects.exists()
    modifiee, supprimee = Evenement.objects.order_by("id")
    assert modifiee.type == TypeEvenement.DISPONIBILITE_MODIFIEE
    assert modifiee.changements == {"raison_indisponibilite": ["Maintenance programmée", "Vitres"]}
    assert supprimee.type == TypeEvenement.DISPONIBILITE_SUPPRIMEE
    assert supprimee.disponibilite_id == periode.pk
    assert (supprimee.acteur, supprimee.canal) == (manager, Canal.API)
    assert supprimee.changements["raison_indisponibilite"] == ["Vitres", None]
    assert supprimee.changements["debut"] == [iso(demain_a(12)), None]


# Deleting a ressource takes its periods along, each with its event ------------------------


@pytest.fixture
def ressource_et_periodes():
    ressource = RessourceFactory()
    periodes = [
        ResourceAvailabilityFactory(ressource=ressource, debut=demain_a(8), fin=demain_a(9)),
        ResourceAvailabilityFactory(
            ressource=ressource,
            debut=demain_a(12),
            fin=demain_a(14),
            raison_indisponibilite="Vitres",
        ),
    ]
    autre = ResourceAvailabilityFactory()  # another ressource's: untouched
    return ressource, periodes, autre


def _verifier_periodes_supprimees(ressource, periodes, autre, *, acteur, canal_attendu):
    assert not Ressource.objects.filter(pk=ressource.pk).exists()
    assert list(ResourceAvailability.objects.values_list("pk", flat=True)) == [autre.pk]
    evenements = list(Evenement.objects.order_by("id"))
    assert [e.type for e in evenements] == [TypeEvenement.DISPONIBILITE_SUPPRIMEE] * 2
    assert [e.disponibilite_id for e in evenements] == [p.pk for p in periodes]
    assert {(e.acteur, e.canal) for e in evenements} == {(acteur, canal_attendu)}
    premiere, seconde = evenements
    assert premiere.changements["ressource_id"] == [ressource.pk, None]
    assert premiere.changements["debut"] == [iso(demain_a(8)), None]
    assert seconde.changements["raison_indisponibilite"] == ["Vitres", None]


def test_deleting_a_ressource_through_the_api_journals_the_deletion_of_each_period(
    client_admin, admin_user, ressource_et_periodes
):
    ressource, periodes, autre = ressource_et_periodes

    reponse = client_admin.delete(f"/ressources/{ressource.pk}")

    assert reponse.status_code == 200
    assert reponse.json() == {"ok": True}
    _verifier_periodes_supprimees(
        ressource, periodes, autre, acteur=admin_user, canal_attendu=Canal.API
    )


@pytest.mark.parametrize("statut", [StatutReservation.ANNULE, StatutReservation.CONFIRME])
def test_a_referenced_ressource_is_a_409_that_keeps_its_periods_and_journals_nothing(
    client_admin, ressource_et_periodes, statut
):
    ressource, periodes, autre = ressource_et_periodes
    # The reservation's own creation is not journaled by the factory: the journal is empty.
    ReservationFactory(ressource=ressource, statut=statut, debut=demain_a(15), fin=demain_a(16))

    reponse = client_admin.delete(f"/ressources/{ressource.pk}")

    assert reponse.status_code == 409
    assert reponse.json()["detail"] == MSG_RESSOURCE_REFERENCEE
    assert Ressource.objects.filter(pk=ressource.pk).exists()
    assert ResourceAvailability.objects.count() == 3
    assert not Evenement.objects.exists()


def test_a_ressource_deleted_by_someone_else_meanwhile_is_not_found_and_journals_nothing(
    admin_user,
):
    ressource = RessourceFactory()
    Ressource.objects.filter(pk=ressource.pk).delete()

    with pytest.raises(Ressource.DoesNotExist):
        services.supprimer_ressource_et_periodes(ressource, par=admin_user)
    assert not Evenement.objects.exists()


def test_a_user_who_acted_in_the_journal_is_deactivated_not_deleted(client_admin):
    autre_admin = AdminFactory()
    services.annuler(ReservationFactory(), par=autre_admin)

    reponse = client_admin.delete(f"/users/{autre_admin.pk}")

    assert reponse.status_code == 409
    assert reponse.json()["code"] == "objet_reference"
    assert "événements" in reponse.json()["detail"]


# The back-office and the commands -------------------------------------------------------------


def _date_heure(nom, moment):
    local = timezone.localtime(moment)
    return {f"{nom}_0": local.strftime("%Y-%m-%d"), f"{nom}_1": local.strftime("%H:%M")}


def test_back_office_changes_are_journaled_with_the_admin_channel(back_office, admin_user):
    ressource = RessourceFactory()
    back_office.post(
        f"{URL_ADMIN_RESERVATIONS}add/",
        {
            "ressource": ressource.pk,
            "user": "",
            **_date_heure("debut", demain_a(10)),
            **_date_heure("fin", demain_a(11)),
            "nbr_participants": 1,
            "description": "",
            "note": "",
        },
    )
    reservation = Reservation.objects.get()
    back_office.post(
        f"{URL_ADMIN_RESERVATIONS}{reservation.pk}/change/",
        {
            "ressource": ressource.pk,
            **_date_heure("debut", demain_a(10)),
            **_date_heure("fin", demain_a(11, 30)),
            "nbr_participants": 1,
            "description": "",
            "note": "",
        },
    )
    back_office.post(
        URL_ADMIN_RESERVATIONS,
        {"action": "annuler", "_selected_action": [reservation.pk]},
    )

    assert _types() == ["reservation.creee", "reservation.modifiee", "reservation.annulee"]
    assert set(Evenement.objects.values_list("acteur", "canal")) == {(admin_user.pk, "admin")}


def test_the_back_office_confirm_action_and_deletion_are_journaled(back_office, admin_user):
    reservation = ReservationFactory(statut=StatutReservation.EN_ATTENTE)
    back_office.post(
        URL_ADMIN_RESERVATIONS, {"action": "confirmer", "_selected_action": [reservation.pk]}
    )
    back_office.post(f"{URL_ADMIN_RESERVATIONS}{reservation.pk}/delete/", {"post": "yes"})

    assert not Reservation.objects.exists()
    assert _types() == ["reservation.confirmee", "reservation.annulee"]
    assert set(Evenement.objects.values_list("acteur", "canal")) == {(admin_user.pk, "admin")}


def test_back_office_periods_are_journaled(back_office, admin_user):
    ressource = RessourceFactory()
    back_office.post(
        f"{URL_ADMIN_DISPONIBILITES}add/",
        {
            "ressource": ressource.pk,
            "type_disponibilite": TypeDisponibilite.MAINTENANCE,
            **_date_heure("debut", demain_a(12)),
            **_date_heure("fin", demain_a(14)),
            "recurrence": "ponctuel",
            "fin_recurrence": "",
            "raison_indisponibilite": "Vitres",
        },
    )
    periode = ResourceAvailability.objects.get()
    back_office.post(
        f"{URL_ADMIN_DISPONIBILITES}{periode.pk}/change/",
        {
            "ressource": ressource.pk,
            "type_disponibilite": TypeDisponibilite.MAINTENANCE,
            **_date_heure("debut", demain_a(12)),
            **_date_heure("fin", demain_a(15)),
            "recurrence": "ponctuel",
            "fin_recurrence": "",
            "raison_indisponibilite": "Vitres",
        },
    )
    back_office.post(
        URL_ADMIN_DISPONIBILITES,
        {"action": "delete_selected", "_selected_action": [periode.pk], "post": "yes"},
    )

    assert not ResourceAvailability.objects.exists()
    assert _types() == ["disponibilite.creee", "disponibilite.modifiee", "disponibilite.supprimee"]
    assert Evenement.objects.get(type="disponibilite.modifiee").changements == {
        "fin": [iso(demain_a(14)), iso(demain_a(15))]
    }
    assert set(Evenement.objects.values_list("acteur", "canal")) == {(admin_user.pk, "admin")}


@pytest.mark.parametrize("par_action", [False, True], ids=["delete_page", "delete_selected"])
def test_deleting_a_ressource_in_the_back_office_journals_the_deletion_of_each_period(
    back_office, admin_user, ressource_et_periodes, par_action
):
    ressource, periodes, autre = ressource_et_periodes

    if par_action:
        reponse = back_office.post(
            URL_ADMIN_RESSOURCES,
            {"action": "delete_selected", "_selected_action": [ressource.pk], "post": "yes"},
        )
    else:
        reponse = back_office.post(f"{URL_ADMIN_RESSOURCES}{ressource.pk}/delete/", {"post": "yes"})

    assert reponse.status_code == 302
    _verifier_periodes_supprimees(
        ressource, periodes, autre, acteur=admin_user, canal_attendu=Canal.ADMIN
    )


def test_a_referenced_ressource_deleted_in_the_back_office_keeps_its_periods_and_no_event(
    back_office, ressource_et_periodes, monkeypatch
):
    ressource, periodes, autre = ressource_et_periodes
    ReservationFactory(ressource=ressource, debut=demain_a(15), fin=demain_a(16))
    # Booked after the confirmation page was shown: Django's own check let it through.
    model_admin = django_admin.site._registry[Ressource]
    monkeypatch.setattr(
        model_admin, "get_deleted_objects", lambda objs, request: ([], {}, set(), [])
    )

    reponse = back_office.post(f"{URL_ADMIN_RESSOURCES}{ressource.pk}/delete/", {"post": "yes"})

    assert reponse.status_code == 302
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [MSG_RESSOURCE_REFERENCEE]
    assert Ressource.objects.filter(pk=ressource.pk).exists()
    assert ResourceAvailability.objects.count() == 3
    assert not Evenement.objects.exists()


def test_the_reservation_admin_page_shows_its_history(back_office, client_employe, salle):
    client_employe.post("/reservations/", corps(salle, description="Point"), format="json")
    reservation = Reservation.objects.get()

    reponse = back_office.get(f"{URL_ADMIN_RESERVATIONS}{reservation.pk}/change/")

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Historique" in page
    assert "Réservation créée" in page
    assert "Description : — → Point" in page


@pytest.mark.parametrize(
    "chemin",
    ["sites/site", "sites/department", "accounts/user", "ressources/ressource"],
)
def test_the_back_office_history_of_reference_data_is_djangos_log(back_office, admin_user, chemin):
    modele = apps.get_model(*chemin.split("/"))
    objet = {
        "sites/site": SiteFactory,
        "sites/department": DepartmentFactory,
        "accounts/user": UserFactory,
        "ressources/ressource": RessourceFactory,
    }[chemin]()
    LogEntry.objects.log_actions(
        user_id=admin_user.pk,
        queryset=modele.objects.filter(pk=objet.pk),
        action_flag=CHANGE,
        change_message="Essai",
        single_object=True,
    )

    reponse = back_office.get(f"/admin/{chemin}/{objet.pk}/history/")

    assert reponse.status_code == 200
    assert "Essai" in reponse.content.decode()


def test_the_daily_closing_journals_each_reservation_as_the_system():
    passee = ReservationFactory(debut=demain_a(10, jours=-2), fin=demain_a(11, jours=-2))
    autre = ReservationFactory(debut=demain_a(12, jours=-2), fin=demain_a(13, jours=-2))
    ReservationFactory()  # not over yet

    call_command("cloturer_journee", stdout=StringIO())

    evenements = Evenement.objects.order_by("id")
    assert [e.reservation_id for e in evenements] == [passee.pk, autre.pk]
    for evenement in evenements:
        assert evenement.type == TypeEvenement.RESERVATION_TERMINEE
        assert (evenement.acteur, evenement.canal) == (None, Canal.COMMANDE)
        assert evenement.changements == {"statut": ["confirme", "fini"]}
        assert (
            evenement.date == Reservation.objects.get(pk=evenement.reservation_id).date_modification
        )


def test_the_daily_closing_dry_run_journals_nothing():
    ReservationFactory(debut=demain_a(10, jours=-2), fin=demain_a(11, jours=-2))

    call_command("cloturer_journee", "--dry-run", stdout=StringIO())

    assert not Evenement.objects.exists()


def test_the_daily_closing_works_by_batches(monkeypatch):
    monkeypatch.setattr(services, "LOT_CLOTURE", 2)
    for i in range(5):
        ReservationFactory(debut=demain_a(8 + i, jours=-2), fin=demain_a(9 + i, jours=-2))

    assert services.cloturer_journee() == 5
    assert Evenement.objects.filter(canal=Canal.SYSTEME, acteur=None).count() == 5
    assert not Reservation.objects.filter(statut=StatutReservation.CONFIRME).exists()


def test_a_service_called_outside_any_entry_point_is_the_system_channel(employe, salle):
    services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))
    with canal("commande"):
        services.annuler(Reservation.objects.get(), par=employe)

    assert list(Evenement.objects.values_list("canal", flat=True)) == ["systeme", "commande"]


# After commit --------------------------------------------------------------------------------


@pytest.fixture
def recus():
    recus = []

    def receveur(sender, evenement, **kwargs):
        recus.append(evenement)

    journal.evenement_enregistre.connect(receveur)
    yield recus
    journal.evenement_enregistre.disconnect(receveur)


def test_subscribers_get_the_event_only_after_commit(
    recus, employe, salle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reservation = services.reserver(
            par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11)
        )
        assert recus == []

    (evenement,) = recus
    assert evenement.pk == Evenement.objects.get().pk
    assert evenement.reservation_id == reservation.pk


def test_subscribers_get_nothing_for_a_rolled_back_change(
    recus, employe, salle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))
            raise RuntimeError("rollback")
        with pytest.raises(regles.ConflitReservation):
            ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
            services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))

    assert recus == []


def test_a_failing_subscriber_does_not_stop_the_others(
    recus, employe, salle, django_capture_on_commit_callbacks
):
    def en_panne(sender, evenement, **kwargs):
        raise RuntimeError("panne")

    journal.evenement_enregistre.connect(en_panne)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))
    finally:
        journal.evenement_enregistre.disconnect(en_panne)

    assert len(recus) == 1


@pytest.mark.django_db(transaction=True)
def test_subscribers_run_after_a_real_commit_and_never_after_a_rollback(recus):
    ressource = RessourceFactory()
    employe = UserFactory()

    services.reserver(par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11))
    assert len(recus) == 1
    with pytest.raises(regles.ConflitReservation):
        services.reserver(par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11))
    assert len(recus) == 1


# /reservations/{id}/historique ------------------------------------------------------------------


def test_the_history_lists_the_events_oldest_first_in_the_contracts_shape(
    client_employe, client_manager, employe, manager, equipe, salle
):
    client_employe.post("/reservations/", corps(salle), format="json")
    reservation = Reservation.objects.get()
    client_manager.post(f"/reservations/{reservation.pk}/annuler")

    reponse = client_employe.get(f"/reservations/{reservation.pk}/historique")

    assert reponse.status_code == 200
    creee, annulee = reponse.json()
    assert set(creee) == {"id", "type", "date", "acteur_id", "changements", "note"}
    assert creee["type"] == "reservation.creee"
    assert creee["acteur_id"] == employe.pk
    assert creee["changements"]["statut"] == [None, "confirme"]
    assert creee["changements"]["debut"] == [None, iso(demain_a(10))]
    assert creee["date"] == iso(reservation.date_modification)
    assert annulee["type"] == "reservation.annulee"
    assert annulee["acteur_id"] == manager.pk
    assert annulee["changements"] == {"statut": ["confirme", "annule"]}
    assert annulee["id"] > creee["id"]


def test_the_history_of_the_daily_closing_has_no_actor(client_employe, employe):
    reservation = ReservationFactory(
        user=employe, debut=demain_a(10, jours=-2), fin=demain_a(11, jours=-2)
    )
    services.cloturer_journee()

    (terminee,) = client_employe.get(f"/reservations/{reservation.pk}/historique").json()

    assert terminee["acteur_id"] is None
    assert terminee["note"] == ""


def test_the_history_of_a_reservation_one_may_not_see_is_a_404(sa_reservation):
    autre = client_pour(UserFactory())

    assert autre.get(f"/reservations/{sa_reservation.pk}/historique").status_code == 404
    assert autre.get("/reservations/999999/historique/").status_code == 404
    assert client_pour(None).get(f"/reservations/{sa_reservation.pk}/historique").status_code == 401


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_history_answers_in_a_fixed_number_of_queries(
    client_employe, sa_reservation, django_assert_max_num_queries, nombre
):
    with transaction.atomic():
        journal.enregistrer_tous(
            [
                journal.evenement(
                    TypeEvenement.RESERVATION_MODIFIEE,
                    par=None,
                    reservation=sa_reservation,
                    changements={"note": [str(i), str(i + 1)]},
                )
                for i in range(nombre)
            ]
        )

    with django_assert_max_num_queries(3):
        reponse = client_employe.get(f"/reservations/{sa_reservation.pk}/historique")

    assert len(reponse.json()) == nombre


def test_a_booking_adds_exactly_one_insert_for_its_event(client_employe, salle):
    with CaptureQueriesContext(connection) as requetes:
        assert client_employe.post("/reservations/", corps(salle), format="json").status_code == 201

    evenement = [q["sql"] for q in requetes if "reservations_evenement" in q["sql"]]
    assert len(evenement) == 1
    assert evenement[0].startswith("INSERT")


def test_the_data_migration_fills_the_frozen_facts_of_existing_reservations(sa_reservation, equipe):
    import importlib

    migration = importlib.import_module("reservations.migrations.0006_remplir_site_et_departement")
    Reservation.objects.update(department=None)

    migration.remplir(apps, None)

    reservation = Reservation.objects.get()
    assert (reservation.site_id, reservation.department_id) == (
        sa_reservation.ressource.site_id,
        equipe.pk,
    )


def test_each_event_type_of_the_contract_exists():
    assert set(TypeEvenement.values) == {
        "reservation.creee",
        "reservation.modifiee",
        "reservation.confirmee",
        "reservation.annulee",
        "reservation.terminee",
        "reservation.non_presente",
        "reservation.liberee",
        "reservation.checkin",
        "disponibilite.creee",
        "disponibilite.modifiee",
        "disponibilite.supprimee",
    }


def test_a_back_office_save_that_changes_nothing_journals_nothing(back_office):
    """Browsers send text with CRLF line breaks: an untouched note is not a change."""
    ressource = RessourceFactory()
    reservation = ReservationFactory(
        ressource=ressource,
        site=ressource.site,
        debut=demain_a(10),
        fin=demain_a(11),
        note="ligne 1\nligne 2",
        description="Point\nd'équipe",
    )
    avant = Evenement.objects.count()
    reponse = back_office.post(
        f"{URL_ADMIN_RESERVATIONS}{reservation.pk}/change/",
        {
            "ressource": ressource.pk,
            "user": reservation.user_id,
            **_date_heure("debut", demain_a(10)),
            **_date_heure("fin", demain_a(11)),
            "nbr_participants": 1,
            "description": "Point\r\nd'équipe",
            "note": "ligne 1\r\nligne 2",
        },
    )
    assert reponse.status_code == 302
    reservation.refresh_from_db()
    assert reservation.note == "ligne 1\nligne 2"
    assert Evenement.objects.count() == avant
