"""The fast reservation list: DRF's exact output from rows, the exact total from the counter
the triggers keep (migration 0012), and a fixed number of queries at any size."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import UserFactory
from reservations import selectors
from reservations.models import Reservation, StatutReservation
from reservations.serializers import COLONNES_LISTE, ReservationSerializer, lignes_liste
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.tests.factories import RessourceFactory


def _totaux():
    """The counter's answers, for all and for each statut, beside a real COUNT."""
    reel = {
        statut: Reservation.objects.filter(statut=statut).count()
        for statut in StatutReservation.values
    }
    compteur = {statut: selectors.total_reservations([statut]) for statut in reel}
    return (selectors.total_reservations(), compteur), (Reservation.objects.count(), reel)


def _reservations(nombre, **champs):
    ressource = champs.pop("ressource", None) or RessourceFactory()
    user = champs.pop("user", None) or UserFactory()
    return [
        ReservationFactory(
            ressource=ressource,
            user=user,
            debut=demain_a(8) + timedelta(days=i),
            fin=demain_a(9, 15) + timedelta(days=i),
            **champs,
        )
        for i in range(nombre)
    ]


# The rows' shape


@pytest.mark.django_db
def test_rows_are_shaped_exactly_as_the_serializer_does():
    ressource = RessourceFactory()
    autres = [
        # Around the autumn change of hour, in UTC with microseconds, checked in.
        ReservationFactory(
            ressource=ressource,
            debut=datetime(2027, 10, 31, 0, 15, tzinfo=UTC),
            fin=datetime(2027, 10, 31, 1, 45, tzinfo=UTC),
            statut=StatutReservation.EN_ATTENTE,
            description="Réunion « spéciale »",
            note="Note\nsur deux lignes",
            nbr_participants=12,
        ),
        ReservationFactory(
            ressource=ressource,
            debut=datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
            fin=datetime(2027, 3, 28, 2, 0, 0, 123456, tzinfo=UTC),
            checkin_le=datetime(2027, 3, 28, 0, 31, 5, 500, tzinfo=UTC),
        ),
    ]
    reservations = [*_reservations(3, ressource=ressource), *autres]
    lignes = Reservation.objects.order_by("id").values_list(*COLONNES_LISTE)
    attendu = [
        ReservationSerializer().representation_drf(r) for r in Reservation.objects.order_by("id")
    ]
    assert lignes_liste(lignes) == attendu
    assert [list(ligne) for ligne in lignes_liste(lignes)] == [list(a) for a in attendu]
    assert len(attendu) == len(reservations)


@pytest.mark.django_db
def test_the_list_answers_the_serializers_output(client_admin):
    _reservations(3)
    reponse = client_admin.get("/reservations/", {"sort_by": "date_creation"})
    attendu = [ReservationSerializer().representation_drf(r) for r in Reservation.objects.all()]
    attendu.sort(key=lambda r: (r["date_creation"], r["id"]))
    assert reponse.json()["items"] == attendu
    assert reponse.json()["meta"] == {
        "total": 3,
        "offset": 0,
        "limit": 100,
        "returned": 3,
        "sort_by": "date_creation",
        "sort_order": "asc",
    }


# The counter


@pytest.mark.django_db
def test_the_counter_follows_every_kind_of_write():
    ressource, user = RessourceFactory(), UserFactory()
    assert _totaux()[0] == _totaux()[1]
    premieres = _reservations(4, ressource=ressource, user=user)
    assert _totaux()[0] == _totaux()[1]
    # save(), queryset update() of the statut and of another column, bulk_create, delete.
    premieres[0].statut = StatutReservation.ANNULE
    premieres[0].save()
    Reservation.objects.filter(pk=premieres[1].pk).update(statut=StatutReservation.FINI)
    Reservation.objects.filter(pk=premieres[2].pk).update(note="rien sur le statut")
    Reservation.objects.bulk_create(
        Reservation(
            ressource=ressource,
            user=user,
            createur=user,
            site=ressource.site,
            debut=demain_a(8, jours=30 + i),
            fin=demain_a(9, jours=30 + i),
            statut=StatutReservation.EN_ATTENTE,
        )
        for i in range(5)
    )
    assert _totaux()[0] == _totaux()[1]
    Reservation.objects.filter(statut=StatutReservation.EN_ATTENTE).update(
        statut=StatutReservation.CONFIRME
    )
    premieres[3].delete()
    Reservation.objects.filter(statut=StatutReservation.FINI).delete()
    assert _totaux()[0] == _totaux()[1]
    assert selectors.total_reservations() == 7
    with connection.cursor() as curseur:
        curseur.execute(
            "UPDATE reservations_reservation SET statut = 'fini' WHERE id = %s", [premieres[0].pk]
        )
    assert _totaux()[0] == _totaux()[1]


@pytest.mark.django_db
def test_folding_the_deltas_keeps_the_totals(monkeypatch):
    _reservations(6)
    Reservation.objects.filter(pk__in=Reservation.objects.all()[:2]).update(
        statut=StatutReservation.ANNULE
    )
    avant = _totaux()
    lignes = selectors.lignes_du_compteur()
    assert lignes > 2
    monkeypatch.setattr(selectors, "SEUIL_LECTURE", 1)
    assert selectors.total_reservations() == 6  # reads, then folds: no worker is running
    assert _deltas() == [("annule", 2), ("confirme", 4)]
    assert _totaux() == avant
    selectors.compacter_compteur()
    assert _totaux() == avant


@pytest.mark.django_db
def test_the_worker_folds_the_deltas_and_readers_leave_them(monkeypatch):
    _reservations(4)
    Reservation.objects.filter(pk__in=Reservation.objects.all()[:1]).update(
        statut=StatutReservation.ANNULE
    )
    lignes = selectors.lignes_du_compteur()
    assert lignes > 2
    monkeypatch.setattr(selectors, "SEUIL_COMPACTAGE", 2)
    assert selectors.total_reservations() == 4
    assert selectors.lignes_du_compteur() == lignes  # a GET writes nothing

    sortie = StringIO()
    call_command("worker", "--once", stdout=sortie)
    assert f"reservations.compteur={lignes}" in sortie.getvalue()
    assert _deltas() == [("annule", 1), ("confirme", 3)]
    assert selectors.total_reservations() == 4

    sortie = StringIO()
    call_command("worker", "--once", stdout=sortie)  # under the bound now: nothing to fold
    assert "reservations.compteur=0" in sortie.getvalue()


def _deltas():
    with connection.cursor() as curseur:
        curseur.execute("SELECT statut, n FROM reservations_compteur ORDER BY statut")
        return [tuple(ligne) for ligne in curseur.fetchall()]


@pytest.mark.django_db
def test_without_its_triggers_the_counter_is_not_believed(client_admin):
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(
                "ALTER TABLE reservations_reservation DISABLE TRIGGER reservations_compteur_ins"
            )
        else:  # as a table rebuild by a later migration would
            curseur.execute("DROP TRIGGER reservations_compteur_ins")
    _reservations(3)  # not counted by the counter
    assert selectors.total_reservations() is None
    assert client_admin.get("/reservations/").json()["meta"]["total"] == 3


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops triggers on rebuilds")
def test_migrate_recreates_dropped_triggers_and_counts_again(client_admin):
    _reservations(2)
    with connection.cursor() as curseur:  # as a later migration's table rebuild does
        for suffixe in ("ins", "del", "upd"):
            curseur.execute(f"DROP TRIGGER reservations_compteur_{suffixe}")
    _reservations(3)  # unseen by the counter
    Reservation.objects.filter(pk=Reservation.objects.first().pk).update(
        statut=StatutReservation.ANNULE
    )
    assert selectors.total_reservations() is None

    call_command("migrate", verbosity=0)
    assert selectors.total_reservations() == 5
    assert _totaux()[0] == _totaux()[1]
    _reservations(1)  # the triggers count again
    assert selectors.total_reservations() == 6
    assert client_admin.get("/reservations/").json()["meta"]["total"] == 6
    assert selectors.reparer_compteur() is False  # nothing left to repair


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_counter():
    # TransactionTestCase's flush: TRUNCATE on PostgreSQL, DELETE on SQLite.
    _reservations(2)
    assert selectors.total_reservations() == 2
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    assert selectors.total_reservations() == 0


# The list's totals, through the counter or counting


@pytest.mark.django_db
def test_the_admin_total_comes_from_the_counter_and_stays_exact(client_admin):
    _reservations(3)
    _reservations(2, statut=StatutReservation.EN_ATTENTE)

    def total(**params):
        reponse = client_admin.get("/reservations/", {"limit": 1, **params})
        assert reponse.status_code == 200
        return reponse.json()["meta"]["total"]

    assert total() == 5
    assert total(statut="en_cours") == 2
    assert total(statut="confirme,en_cours", sort_by="date_creation", offset=4) == 5
    assert total(statut="fini") == 0
    # Filters the counter does not know: counted.
    premiere = Reservation.objects.first()
    assert total(ressource_id=premiere.ressource_id) == 3
    assert total(du=demain_a(8).date().isoformat(), au=demain_a(8).date().isoformat()) == 2
    Reservation.objects.filter(statut=StatutReservation.EN_ATTENTE).update(
        statut=StatutReservation.ANNULE
    )
    assert total(statut="en_cours") == 0
    assert total(statut="annule") == 2


@pytest.mark.django_db
def test_other_roles_count_what_they_see(client_employe, employe, client_manager):
    _reservations(2, user=employe)
    _reservations(3)
    assert client_employe.get("/reservations/").json()["meta"]["total"] == 2
    assert client_manager.get("/reservations/").json()["meta"]["total"] == 0


@pytest.mark.django_db
def test_bad_filters_are_still_a_400(client_admin):
    reponse = client_admin.get("/reservations/", {"statut": "inconnu", "sort_by": "x"})
    assert reponse.status_code == 400
    assert set(reponse.json()["errors"]) == {"statut", "sort_by"}
    # Shared filters keep no state from one request to the next.
    assert client_admin.get("/reservations/", {"statut": "fini"}).status_code == 200
    assert client_admin.get("/reservations/", {"sort_by": "date_creation"}).status_code == 200


# Queries, small and large


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", [1, 120])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"statut": "confirme,en_cours"},
        {"sort_by": "date_creation", "sort_order": "desc", "offset": 50},
        {"du": "2000-01-01", "au": "2999-01-01"},
    ],
)
@pytest.mark.parametrize("role", ["employe", "admin"])
def test_the_fast_list_answers_in_three_queries(
    clients, employe, django_assert_max_num_queries, nombre, params, role
):
    _reservations(nombre, user=employe)
    with django_assert_max_num_queries(3):  # token, total, page
        reponse = clients[role].get("/reservations/", {"limit": 50, **params})
    assert reponse.status_code == 200
    assert reponse.json()["meta"]["total"] == nombre
    assert reponse.json()["meta"]["returned"] == max(0, min(50, nombre - params.get("offset", 0)))


# The orders and the compiled admin page


@pytest.mark.django_db
@pytest.mark.parametrize("statut", [None, "fini", "confirme,en_cours", "confirme,confirme"])
@pytest.mark.parametrize("sort_by", ["debut", "date_creation"])
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_the_compiled_admin_query_is_the_filtersets(statut, sort_by, sort_order):
    from django.http import QueryDict

    from reservations.filters import ReservationFilter
    from reservations.views import _queryset_admin

    params = QueryDict(mutable=True)
    params.update({"sort_by": sort_by, "sort_order": sort_order})
    if statut:
        params["statut"] = statut
    filtres = ReservationFilter(data=params, queryset=Reservation.objects.all())
    assert filtres.is_valid()
    statuts = tuple(dict.fromkeys(filtres.form.cleaned_data.get("statut") or ()))
    attendu = filtres.qs[10:60].query
    assert str(_queryset_admin(statuts, sort_by, sort_order)[10:60].query) == str(attendu)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["employe", "admin"])
@pytest.mark.parametrize(
    "params",
    [
        {"statut": "confirme,annule"},
        {"statut": "annule", "sort_order": "desc", "offset": 2},
        {"sort_by": "date_creation", "sort_order": "desc", "offset": 3},
        {"du": "2000-01-01", "sort_order": "desc"},
    ],
)
def test_pages_come_in_the_asked_order(clients, employe, params, role):
    ressource = RessourceFactory()
    for i in range(12):
        # Same debut in pairs: ties break on id, in the same direction.
        ReservationFactory(
            ressource=ressource if i % 2 else RessourceFactory(),
            user=employe,
            debut=demain_a(8) + timedelta(days=i // 2),
            fin=demain_a(9) + timedelta(days=i // 2),
            statut=StatutReservation.ANNULE if i % 3 == 0 else StatutReservation.CONFIRME,
        )
    attendu = Reservation.objects.all()
    if "statut" in params:
        attendu = attendu.filter(statut__in=params["statut"].split(","))
    signe = "-" if params.get("sort_order") == "desc" else ""
    champ = params.get("sort_by", "debut")
    attendu = attendu.order_by(f"{signe}{champ}", f"{signe}id")
    offset = params.get("offset", 0)
    reponse = clients[role].get("/reservations/", {"limit": 4, **params}).json()
    assert [r["id"] for r in reponse["items"]] == [r.pk for r in attendu[offset : offset + 4]]
    assert reponse["meta"]["total"] == attendu.count()
    # Again: the compiled SQL is reused with the request's own values.
    deuxieme = clients[role].get("/reservations/", {"limit": 4, **params}).json()
    assert deuxieme == reponse
