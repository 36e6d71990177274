"""The back-office for reservations, unavailabilities, ressources and sites: the same rules
as the API (through regles/services), errors as form errors, lists in a fixed number of
queries."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from reservations import regles
from reservations.models import Reservation, ResourceAvailability, StatutReservation
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, Ressource
from ressources.tests.factories import RessourceFactory
from sites.models import Site
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL_RESERVATIONS = "/admin/reservations/reservation/"
URL_DISPONIBILITES = "/admin/reservations/resourceavailability/"


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def ressource():
    return RessourceFactory(capacite_maximum=8)


def _date_heure(nom, moment):
    local = timezone.localtime(moment)
    return {f"{nom}_0": local.strftime("%Y-%m-%d"), f"{nom}_1": local.strftime("%H:%M")}


def _reservation(ressource, debut, fin, **valeurs):
    return {
        "ressource": ressource.pk,
        "user": "",
        **_date_heure("debut", debut),
        **_date_heure("fin", fin),
        "nbr_participants": 2,
        "description": "Point d'équipe",
        "note": "",
        **valeurs,
    }


def _erreurs(reponse):
    form = reponse.context["adminform"].form
    return {champ or "__all__": " ".join(msgs) for champ, msgs in form.errors.items()}


def _messages(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# Reservations: creation ---------------------------------------------------------------------


def test_a_reservation_created_in_the_back_office_is_booked_by_the_admin(
    back_office, admin_user, ressource
):
    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(10), demain_a(11))
    )

    assert reponse.status_code == 302
    reservation = Reservation.objects.get()
    assert reservation.ressource == ressource
    assert reservation.user == admin_user
    assert reservation.createur == admin_user
    assert reservation.statut == StatutReservation.CONFIRME
    assert (reservation.debut, reservation.fin) == (demain_a(10), demain_a(11))
    assert reponse["Location"] == URL_RESERVATIONS


def test_the_admin_may_book_for_another_user(back_office, admin_user, employe, ressource):
    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/",
        _reservation(ressource, demain_a(10), demain_a(11), user=employe.pk),
    )

    assert reponse.status_code == 302
    reservation = Reservation.objects.get()
    assert (reservation.user, reservation.createur) == (employe, admin_user)


def test_an_admin_booking_on_a_ressource_needing_approval_is_confirmed_at_once(back_office):
    ressource = RessourceFactory(validation_requise=True)

    back_office.post(f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(9), demain_a(10)))

    assert Reservation.objects.get().statut == StatutReservation.CONFIRME


def test_an_overlapping_booking_is_a_form_error_listing_the_conflict(back_office, ressource):
    existante = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/",
        _reservation(ressource, demain_a(10, 30), demain_a(11, 30)),
    )

    assert reponse.status_code == 200
    message = _erreurs(reponse)["__all__"]
    assert message.startswith("Le créneau est déjà pris")
    assert f"réservation n°{existante.pk}" in message
    assert Reservation.objects.count() == 1


def test_a_booking_over_a_blocking_unavailability_lists_it(back_office, ressource):
    periode = ResourceAvailabilityFactory(ressource=ressource, debut=demain_a(12), fin=demain_a(14))

    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(13), demain_a(15))
    )

    assert reponse.status_code == 200
    assert f"indisponibilité n°{periode.pk}" in _erreurs(reponse)["__all__"]
    assert not Reservation.objects.exists()


def test_a_booking_that_touches_the_previous_one_is_accepted(back_office, ressource):
    ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(11), demain_a(12))
    )

    assert reponse.status_code == 302
    assert Reservation.objects.count() == 2


@pytest.mark.parametrize(
    ("debut", "fin", "valeurs", "champ", "message"),
    [
        ((10, 5), (11, 0), {}, "debut", regles.MSG_GRILLE),
        ((10, 0), (10, 15), {}, "fin", regles.MSG_DUREE_MIN),
        ((10, 0), (11, 0), {"nbr_participants": 9}, "nbr_participants", "capacité"),
        ((5, 0), (6, 0), {}, "__all__", "La salle n'est ouverte que de 07:00 à 20:00"),
    ],
)
def test_a_booking_breaking_a_rule_is_a_form_error(
    back_office, ressource, debut, fin, valeurs, champ, message
):
    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/",
        _reservation(ressource, demain_a(*debut), demain_a(*fin), **valeurs),
    )

    assert reponse.status_code == 200
    assert message in _erreurs(reponse)[champ]
    assert not Reservation.objects.exists()


def test_a_booking_of_a_ressource_under_maintenance_is_a_form_error(back_office):
    ressource = RessourceFactory(etat=Etat.EN_MAINTENANCE)

    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(10), demain_a(11))
    )

    assert reponse.status_code == 200
    assert "n'est pas active" in _erreurs(reponse)["__all__"]


def test_the_admin_may_enter_a_booking_in_the_past(back_office, ressource):
    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/",
        _reservation(ressource, demain_a(10, jours=-2), demain_a(11, jours=-2)),
    )

    assert reponse.status_code == 302
    assert Reservation.objects.get().debut == demain_a(10, jours=-2)


def test_a_conflict_raised_while_saving_is_a_message_not_a_server_error(
    back_office, ressource, monkeypatch
):
    from reservations import services

    def course_perdue(verifiee):
        raise regles.ConflitReservation([])

    monkeypatch.setattr(services, "enregistrer_verifiee", course_perdue)

    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(10), demain_a(11))
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == f"{URL_RESERVATIONS}add/"
    assert regles.MSG_CONFLIT in _messages(reponse)
    assert not Reservation.objects.exists()


# Reservations: changes ----------------------------------------------------------------------


def _modification(reservation, **valeurs):
    return {
        "ressource": reservation.ressource_id,
        **_date_heure("debut", reservation.debut),
        **_date_heure("fin", reservation.fin),
        "nbr_participants": reservation.nbr_participants,
        "description": reservation.description,
        "note": reservation.note,
        **valeurs,
    }


def test_moving_a_reservation_goes_through_the_rules_and_ignores_its_own_slot(
    back_office, ressource
):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_RESERVATIONS}{reservation.pk}/change/",
        _modification(reservation, **_date_heure("fin", demain_a(11, 30))),
    )

    assert reponse.status_code == 302
    reservation.refresh_from_db()
    assert reservation.fin == demain_a(11, 30)


def test_moving_a_reservation_onto_another_is_a_form_error(back_office, ressource):
    autre = ReservationFactory(ressource=ressource, debut=demain_a(14), fin=demain_a(15))
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_RESERVATIONS}{reservation.pk}/change/",
        _modification(
            reservation, **_date_heure("debut", demain_a(14)), **_date_heure("fin", demain_a(15))
        ),
    )

    assert reponse.status_code == 200
    assert f"réservation n°{autre.pk}" in _erreurs(reponse)["__all__"]
    reservation.refresh_from_db()
    assert reservation.debut == demain_a(10)


def test_a_closed_reservation_is_shown_read_only(back_office):
    reservation = ReservationFactory(statut=StatutReservation.ANNULE)
    url = f"{URL_RESERVATIONS}{reservation.pk}/change/"

    page = back_office.get(url)
    reponse = back_office.post(url, _modification(reservation, description="Autre chose"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert reponse.status_code == 403
    reservation.refresh_from_db()
    assert reservation.description != "Autre chose"


# Reservations: actions ----------------------------------------------------------------------


def test_the_confirm_action_confirms_pending_ones_and_reports_refusals(back_office):
    en_attente = ReservationFactory(statut=StatutReservation.EN_ATTENTE)
    deja = ReservationFactory(statut=StatutReservation.CONFIRME)

    reponse = back_office.post(
        URL_RESERVATIONS, {"action": "confirmer", "_selected_action": [en_attente.pk, deja.pk]}
    )

    assert reponse.status_code == 302
    en_attente.refresh_from_db()
    deja.refresh_from_db()
    assert en_attente.statut == StatutReservation.CONFIRME
    assert deja.statut == StatutReservation.CONFIRME
    messages = _messages(reponse)
    assert "1 réservation(s) confirmée(s)." in messages
    assert any(f"n°{deja.pk}" in m and "en attente" in m for m in messages)


def test_the_cancel_action_cancels_open_ones_and_reports_refusals(back_office):
    ouverte = ReservationFactory()
    finie = ReservationFactory(statut=StatutReservation.FINI)

    reponse = back_office.post(
        URL_RESERVATIONS, {"action": "annuler", "_selected_action": [ouverte.pk, finie.pk]}
    )

    assert reponse.status_code == 302
    ouverte.refresh_from_db()
    finie.refresh_from_db()
    assert ouverte.statut == StatutReservation.ANNULE
    assert finie.statut == StatutReservation.FINI
    messages = _messages(reponse)
    assert "1 réservation(s) annulée(s)." in messages
    assert any(f"n°{finie.pk}" in m for m in messages)


# Reservations: the list ---------------------------------------------------------------------


def test_the_reservation_list_filters_by_status_site_ressource_type_and_date(
    back_office, ressource
):
    reservation = ReservationFactory(ressource=ressource)
    ReservationFactory(statut=StatutReservation.ANNULE)
    debut = timezone.localtime(reservation.debut)

    reponse = back_office.get(
        URL_RESERVATIONS,
        {
            "statut__exact": "confirme",
            "ressource__site__id__exact": ressource.site_id,
            "ressource__type_ressource__exact": "salle",
            "ressource__id__exact": ressource.pk,
            "debut__year": debut.year,
            "debut__month": debut.month,
            "debut__day": debut.day,
        },
    )

    assert reponse.status_code == 200
    assert list(reponse.context["cl"].result_list) == [reservation]


def test_the_reservation_list_searches_descriptions_and_people(back_office, employe):
    cible = ReservationFactory(user=employe, description="Comité de pilotage")
    ReservationFactory(description="Autre réunion")

    reponse = back_office.get(URL_RESERVATIONS, {"q": "pilotage"})

    assert list(reponse.context["cl"].result_list) == [cible]


@pytest.mark.parametrize("nombre", [1, 30])
def test_the_reservation_list_answers_in_a_fixed_number_of_queries(
    back_office, django_assert_max_num_queries, nombre
):
    site = SiteFactory()
    for i in range(nombre):
        ReservationFactory(
            ressource=RessourceFactory(site=site),
            debut=demain_a(8) + timedelta(days=i),
            fin=demain_a(9) + timedelta(days=i),
        )

    with django_assert_max_num_queries(9):
        reponse = back_office.get(URL_RESERVATIONS)

    assert reponse.status_code == 200
    assert len(reponse.context["cl"].result_list) == nombre


# Unavailabilities ---------------------------------------------------------------------------


def _periode(ressource, debut, fin, **valeurs):
    return {
        "ressource": ressource.pk,
        "type_disponibilite": "maintenance",
        **_date_heure("debut", debut),
        **_date_heure("fin", fin),
        "recurrence": "ponctuel",
        "fin_recurrence": "",
        "raison_indisponibilite": "Peinture",
        **valeurs,
    }


def test_an_unavailability_over_reservations_is_a_form_error_listing_them(back_office, ressource):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_DISPONIBILITES}add/", _periode(ressource, demain_a(9), demain_a(12))
    )

    assert reponse.status_code == 200
    message = _erreurs(reponse)["__all__"]
    assert f"réservation n°{reservation.pk}" in message
    assert "annuler les réservations en conflit" in message
    assert not ResourceAvailability.objects.exists()
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.CONFIRME


def test_ticking_the_box_records_the_unavailability_and_cancels_the_reservations(
    back_office, ressource
):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_DISPONIBILITES}add/",
        _periode(ressource, demain_a(9), demain_a(12), annuler_conflits="on"),
    )

    assert reponse.status_code == 302
    assert ResourceAvailability.objects.filter(ressource=ressource).count() == 1
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE
    assert "Peinture" in reservation.note
    assert any(f"n°{reservation.pk}" in m for m in _messages(reponse))


def test_a_weekly_unavailability_catches_a_reservation_a_week_later(back_office, ressource):
    reservation = ReservationFactory(
        ressource=ressource, debut=demain_a(10, jours=8), fin=demain_a(11, jours=8)
    )

    reponse = back_office.post(
        f"{URL_DISPONIBILITES}add/",
        _periode(ressource, demain_a(9), demain_a(12), recurrence="hebdomadaire"),
    )

    assert reponse.status_code == 200
    assert f"réservation n°{reservation.pk}" in _erreurs(reponse)["__all__"]


def test_a_normal_availability_window_never_conflicts(back_office, ressource):
    ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        f"{URL_DISPONIBILITES}add/",
        _periode(ressource, demain_a(9), demain_a(12), type_disponibilite="disponibilite_normale"),
    )

    assert reponse.status_code == 302


def test_an_invalid_unavailability_is_a_form_error(back_office, ressource):
    reponse = back_office.post(
        f"{URL_DISPONIBILITES}add/",
        _periode(ressource, demain_a(12), demain_a(9), fin_recurrence="2030-01-01"),
    )

    assert reponse.status_code == 200
    erreurs = _erreurs(reponse)
    assert "fin" in erreurs or "fin_recurrence" in erreurs
    assert not ResourceAvailability.objects.exists()


@pytest.mark.parametrize("nombre", [1, 30])
def test_the_unavailability_list_answers_in_a_fixed_number_of_queries(
    back_office, django_assert_max_num_queries, nombre
):
    site = SiteFactory()
    for _ in range(nombre):
        ResourceAvailabilityFactory(ressource=RessourceFactory(site=site))

    with django_assert_max_num_queries(8):
        reponse = back_office.get(URL_DISPONIBILITES)

    assert reponse.status_code == 200


# Ressources and their inline unavailabilities ----------------------------------------------


def _ressource(ressource, periodes=(), **valeurs):
    donnees = {
        "nom": ressource.nom,
        "type_ressource": ressource.type_ressource,
        "site": ressource.site_id,
        "etat": ressource.etat,
        "capacite_maximum": ressource.capacite_maximum,
        "description": ressource.description,
        "caracteristiques": ", ".join(ressource.caracteristiques),
        "images": "\n".join(ressource.images),
        "localisation_batiment": ressource.localisation_batiment,
        "localisation_etage": ressource.localisation_etage,
        "localisation_numero": ressource.localisation_numero,
        "horaires_ouverture": "",
        "horaires_fermeture": "",
        "tarifs_horaires": "",
        "delai_checkin_minutes": ressource.delai_checkin_minutes,
        "disponibilites-TOTAL_FORMS": len(periodes),
        "disponibilites-INITIAL_FORMS": 0,
        "disponibilites-MIN_NUM_FORMS": 0,
        "disponibilites-MAX_NUM_FORMS": 1000,
        **valeurs,
    }
    for i, periode in enumerate(periodes):
        for champ, valeur in periode.items():
            donnees[f"disponibilites-{i}-{champ}"] = valeur
        donnees[f"disponibilites-{i}-ressource"] = ressource.pk
        donnees[f"disponibilites-{i}-id"] = ""
    return donnees


def _periode_inline(debut, fin, **valeurs):
    donnees = _periode(Ressource(pk=0), debut, fin, **valeurs)
    del donnees["ressource"]
    return donnees


def _url_ressource(ressource):
    return f"/admin/ressources/ressource/{ressource.pk}/change/"


def test_editing_a_ressource_saves_its_lists_typed_as_text(back_office, ressource):
    reponse = back_office.post(
        _url_ressource(ressource),
        _ressource(
            ressource,
            caracteristiques="wifi, projecteur ,, visio",
            images="https://exemple.fr/a.jpg\nhttps://exemple.fr/b.jpg",
        ),
    )

    assert reponse.status_code == 302
    ressource.refresh_from_db()
    assert ressource.caracteristiques == ["wifi", "projecteur", "visio"]
    assert ressource.images == ["https://exemple.fr/a.jpg", "https://exemple.fr/b.jpg"]
    page = back_office.get(_url_ressource(ressource)).content.decode()
    assert "wifi, projecteur, visio" in page


def test_a_ressource_with_a_bad_image_url_is_a_form_error(back_office, ressource):
    reponse = back_office.post(
        _url_ressource(ressource), _ressource(ressource, images="ftp://exemple.fr/a.jpg")
    )

    assert reponse.status_code == 200
    assert "images" in _erreurs(reponse)


def test_an_inline_unavailability_over_a_reservation_is_a_form_error(back_office, ressource):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        _url_ressource(ressource),
        _ressource(ressource, [_periode_inline(demain_a(9), demain_a(12))]),
    )

    assert reponse.status_code == 200
    formset = reponse.context["inline_admin_formsets"][0].formset
    assert f"réservation n°{reservation.pk}" in str(formset.errors)
    assert not ResourceAvailability.objects.exists()


def test_an_invalid_inline_unavailability_is_a_form_error(back_office, ressource):
    reponse = back_office.post(
        _url_ressource(ressource),
        _ressource(ressource, [_periode_inline(demain_a(12), demain_a(9))]),
    )

    assert reponse.status_code == 200
    formset = reponse.context["inline_admin_formsets"][0].formset
    assert "postérieure au début" in str(formset.errors)
    assert not ResourceAvailability.objects.exists()


def test_an_inline_unavailability_with_the_box_ticked_cancels_the_reservation(
    back_office, ressource
):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))

    reponse = back_office.post(
        _url_ressource(ressource),
        _ressource(ressource, [_periode_inline(demain_a(9), demain_a(12), annuler_conflits="on")]),
    )

    assert reponse.status_code == 302
    assert ResourceAvailability.objects.filter(ressource=ressource).count() == 1
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE


@pytest.mark.parametrize("nombre", [1, 30])
def test_the_ressource_list_answers_in_a_fixed_number_of_queries(
    back_office, django_assert_max_num_queries, nombre
):
    for _ in range(nombre):
        RessourceFactory()

    with django_assert_max_num_queries(6):
        reponse = back_office.get("/admin/ressources/ressource/")

    assert reponse.status_code == 200


# Sites and departments ----------------------------------------------------------------------


@pytest.mark.parametrize("nombre", [1, 30])
def test_the_site_and_department_lists_answer_in_a_fixed_number_of_queries(
    back_office, django_assert_max_num_queries, nombre, manager
):
    for _ in range(nombre):
        site = SiteFactory()
        RessourceFactory(site=site)
        DepartmentFactory(site=site, manager=manager)

    with django_assert_max_num_queries(5):
        sites = back_office.get("/admin/sites/site/")
    with django_assert_max_num_queries(6):
        departments = back_office.get("/admin/sites/department/")

    assert sites.status_code == departments.status_code == 200
    comptes = {s.pk: s.nb_ressources for s in sites.context["cl"].result_list}
    assert comptes[site.pk] == 1


def test_a_site_page_lists_its_departments_and_ressources_inline(back_office, manager):
    site = SiteFactory()
    RessourceFactory(site=site, nom="Salle Jaune")
    DepartmentFactory(site=site, nom="Comptabilité", manager=manager)

    page = back_office.get(f"/admin/sites/site/{site.pk}/change/").content.decode()

    assert "Salle Jaune" in page
    assert "Comptabilité" in page


def test_a_site_still_referenced_cannot_be_deleted(back_office, ressource):
    url = f"/admin/sites/site/{ressource.site_id}/delete/"

    page = back_office.get(url)
    reponse = back_office.post(url, {"post": "yes"})

    assert page.status_code == reponse.status_code == 200
    assert page.context["protected"]
    assert Site.objects.filter(pk=ressource.site_id).exists()


def test_a_ressource_with_reservations_cannot_be_deleted(back_office, ressource):
    ReservationFactory(ressource=ressource)
    url = f"/admin/ressources/ressource/{ressource.pk}/delete/"

    page = back_office.get(url)
    reponse = back_office.post(url, {"post": "yes"})

    assert page.status_code == reponse.status_code == 200
    assert page.context["protected"]
    assert Ressource.objects.filter(pk=ressource.pk).exists()


def test_a_ressource_without_reservations_is_deleted_with_its_unavailabilities(
    back_office, ressource
):
    ResourceAvailabilityFactory(ressource=ressource)

    reponse = back_office.post(
        f"/admin/ressources/ressource/{ressource.pk}/delete/", {"post": "yes"}
    )

    assert reponse.status_code == 302
    assert not Ressource.objects.filter(pk=ressource.pk).exists()
    assert not ResourceAvailability.objects.exists()


# The rules run once per back-office save ----------------------------------------------------


def _compter(monkeypatch, module, nom):
    appels = []
    vraie = getattr(module, nom)

    def comptee(*args, **kwargs):
        appels.append(1)
        return vraie(*args, **kwargs)

    monkeypatch.setattr(module, nom, comptee)
    return appels


def test_a_back_office_booking_checks_the_rules_once(back_office, ressource, monkeypatch):
    appels = _compter(monkeypatch, regles, "verifier_creneau")

    reponse = back_office.post(
        f"{URL_RESERVATIONS}add/", _reservation(ressource, demain_a(10), demain_a(11))
    )

    assert reponse.status_code == 302
    assert Reservation.objects.count() == 1
    assert len(appels) == 1


def test_a_back_office_move_checks_the_rules_once(back_office, ressource, monkeypatch):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(11))
    appels = _compter(monkeypatch, regles, "verifier_creneau")

    reponse = back_office.post(
        f"{URL_RESERVATIONS}{reservation.pk}/change/",
        _modification(reservation, **_date_heure("fin", demain_a(11, 30))),
    )

    assert reponse.status_code == 302
    assert Reservation.objects.get().fin == demain_a(11, 30)
    assert len(appels) == 1


def test_a_back_office_period_looks_for_conflicts_once(back_office, ressource, monkeypatch):
    from reservations import services

    ReservationFactory(ressource=ressource, debut=demain_a(12), fin=demain_a(13))
    appels = _compter(monkeypatch, services, "reservations_en_conflit")

    reponse = back_office.post(
        f"{URL_DISPONIBILITES}add/",
        {
            "ressource": ressource.pk,
            "type_disponibilite": "maintenance",
            **_date_heure("debut", demain_a(12)),
            **_date_heure("fin", demain_a(14)),
            "recurrence": "ponctuel",
            "fin_recurrence": "",
            "raison_indisponibilite": "Vitres",
            "annuler_conflits": "on",
        },
    )

    assert reponse.status_code == 302
    assert Reservation.objects.get().statut == StatutReservation.ANNULE
    assert len(appels) == 1


@pytest.mark.django_db(transaction=True)
def test_the_check_only_entry_points_refuse_to_run_outside_a_transaction(admin_user):
    from reservations import services

    with pytest.raises(RuntimeError):
        services.preparer_reservation(
            par=admin_user, ressource=RessourceFactory(), debut=demain_a(10), fin=demain_a(11)
        )
