"""Background work (API.md C2): enqueue after commit, periodic jobs claimed once per period,
and ``manage.py worker --once`` running the database queue for real."""

import threading
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.tasks import default_task_backend, task
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import UserFactory
from reservations import journal, services
from reservations.models import Evenement, TypeEvenement
from reservations.tests.factories import demain_a
from ressources.tests.factories import RessourceFactory
from taches import registre
from taches.models import Horloge

pytestmark = pytest.mark.django_db

BASE_DE_DONNEES = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
FICTIF = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

appels = []


@task
def noter(valeur: str) -> str:
    appels.append(valeur)
    return valeur


@pytest.fixture(autouse=True)
def _appels_vides():
    appels.clear()


@pytest.fixture
def registre_de_test(monkeypatch):
    """Only the jobs a test registers (the apps' own jobs are set aside)."""
    monkeypatch.setattr(registre, "_REGISTRE", {})
    return registre._REGISTRE


def reserver(**champs):
    user = UserFactory()
    return services.reserver(
        par=user,
        ressource=champs.pop("ressource", None) or RessourceFactory(),
        debut=demain_a(10),
        fin=demain_a(11),
        **champs,
    )


# --- apres_commit -------------------------------------------------------------------------


@override_settings(TASKS=FICTIF)
def test_apres_commit_met_en_file_une_fois_la_transaction_validee(
    django_capture_on_commit_callbacks,
):
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        registre.apres_commit(noter, "validee")
        assert default_task_backend.results == []
    assert [r.args for r in default_task_backend.results] == [["validee"]]


@override_settings(TASKS=FICTIF)
def test_apres_commit_ne_met_rien_en_file_quand_la_transaction_est_annulee(
    django_capture_on_commit_callbacks,
):
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True) as rappels, transaction.atomic():
        registre.apres_commit(noter, "annulee")
        transaction.set_rollback(True)
    assert rappels == []
    assert default_task_backend.results == []


def test_une_mise_en_file_en_echec_est_journalisee_sans_remonter(monkeypatch, caplog):
    def refuser(*args, **kwargs):
        raise ConnectionError("file indisponible")

    monkeypatch.setattr(type(noter), "enqueue", refuser)
    assert registre.mettre_en_file(noter, "x") is False
    assert "Mise en file impossible" in caplog.text


# --- periodic jobs ------------------------------------------------------------------------


def test_les_taches_periodiques_tournent_dans_leur_ordre(registre_de_test):
    ordre = []
    registre.periodique("b", ordre=20)(lambda: ordre.append("b") or 1)
    registre.periodique("a", ordre=10)(lambda: ordre.append("a") or 2)
    assert registre.executer_periodiques() == {"a": 2, "b": 1}
    assert ordre == ["a", "b"]


def test_une_tache_periodique_ne_tourne_qu_une_fois_par_periode(registre_de_test):
    registre.periodique("compte", toutes_les=timedelta(minutes=5))(lambda: appels.append(1))
    registre.executer_periodiques()
    registre.executer_periodiques()
    assert len(appels) == 1
    horloge = Horloge.objects.get(nom="compte")
    assert horloge.prochaine_le - horloge.derniere_le == timedelta(minutes=5)
    # Due again once its period has passed.
    Horloge.objects.filter(nom="compte").update(prochaine_le=timezone.now())
    registre.executer_periodiques()
    assert len(appels) == 2


def test_forcer_execute_chaque_tache_meme_non_due(registre_de_test):
    registre.periodique("compte", toutes_les=timedelta(days=1))(lambda: appels.append(1))
    registre.executer_periodiques()
    registre.executer_periodiques(forcer=True)
    assert len(appels) == 2


def test_une_tache_en_echec_est_notee_et_n_arrete_pas_les_autres(registre_de_test):
    def casser():
        raise RuntimeError("panne")

    registre.periodique("casse", ordre=1)(casser)
    registre.periodique("suivante", ordre=2)(lambda: 3)
    assert registre.executer_periodiques() == {"casse": None, "suivante": 3}
    assert "panne" in Horloge.objects.get(nom="casse").derniere_erreur
    # The next success clears the error.
    registre.periodique("casse", ordre=1)(lambda: 0)
    registre.executer_periodiques(forcer=True)
    assert Horloge.objects.get(nom="casse").derniere_erreur == ""


def test_les_applications_enregistrent_leurs_taches_periodiques():
    noms = {job.nom for job in registre.periodiques()}
    attendues = {"reservations.liberations", "reservations.cloture", "journal.rattrapage"}
    assert attendues | {"taches.purge"} <= noms


@pytest.mark.django_db(transaction=True)
def test_deux_workers_simultanes_ne_lancent_une_tache_qu_une_fois(registre_de_test):
    """Each thread has its own connection: the claim (a conditional UPDATE) lets one run."""
    barriere = threading.Barrier(2)
    registre.periodique("unique")(lambda: appels.append(threading.get_ident()))
    Horloge.objects.create(nom="unique", prochaine_le=timezone.now())
    erreurs = []

    def worker():
        try:
            barriere.wait()
            registre.executer_periodiques()
        except Exception as exc:  # pragma: no cover - reported below
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=worker) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert erreurs == []
    assert len(appels) == 1


# --- the worker command -------------------------------------------------------------------


@override_settings(TASKS=BASE_DE_DONNEES)
def test_worker_once_traite_la_file_de_la_base(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reservation = reserver()
    evenement = Evenement.objects.get(reservation=reservation)
    tache = DBTaskResult.objects.get()
    assert tache.status == "READY"
    assert evenement.diffuse_le is None  # nothing ran in the request

    sortie = StringIO()
    call_command("worker", "--once", stdout=sortie)

    tache.refresh_from_db()
    evenement.refresh_from_db()
    assert tache.status == "SUCCESSFUL"
    assert tache.return_value == 1
    assert evenement.diffuse_le is not None
    assert "reservations.liberations=0" in sortie.getvalue()


@override_settings(TASKS=BASE_DE_DONNEES)
def test_worker_once_traite_aussi_ce_que_les_taches_periodiques_mettent_en_file(
    registre_de_test,
):
    registre.periodique("met_en_file")(lambda: noter.enqueue("depuis le tick") and 1)
    call_command("worker", "--once", stdout=StringIO())
    assert appels == ["depuis le tick"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_worker_refuse_un_tick_absurde():
    with pytest.raises(CommandError, match="--tick"):
        call_command("worker", "--tick", "0")
    with pytest.raises(CommandError, match="--tick"):
        call_command("worker", "--tick", "61")


# --- the journal's diffusion --------------------------------------------------------------


def _receveur(liste, *, echoue=False):
    def receveur(sender, evenement, **kwargs):
        liste.append(evenement.pk)
        if echoue:
            raise RuntimeError("destinataire en panne")

    return receveur


def test_la_diffusion_marque_l_evenement_et_n_est_faite_qu_une_fois(
    django_capture_on_commit_callbacks,
):
    recus = []
    receveur = _receveur(recus)
    journal.evenement_a_diffuser.connect(receveur, dispatch_uid="test", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reservation = reserver()
        evenement = Evenement.objects.get(reservation=reservation)
        assert recus == [evenement.pk]
        assert Evenement.objects.get(pk=evenement.pk).diffuse_le is not None
        # The sweep and a replayed task find nothing left to do.
        from reservations.taches import diffuser, rattraper_diffusion

        assert diffuser.call([evenement.pk]) == 0
        assert rattraper_diffusion() == 0
        assert recus == [evenement.pk]
    finally:
        journal.evenement_a_diffuser.disconnect(dispatch_uid="test")


def test_un_receveur_en_echec_laisse_l_evenement_au_rattrapage(
    django_capture_on_commit_callbacks, caplog
):
    from reservations.taches import rattraper_diffusion

    recus = []
    journal.evenement_a_diffuser.connect(
        _receveur(recus, echoue=True), dispatch_uid="test", weak=False
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reservation = reserver()
        evenement = Evenement.objects.get(reservation=reservation)
        assert Evenement.objects.get(pk=evenement.pk).diffuse_le is None
        assert "destinataire en panne" in caplog.text
        # Too recent for the sweep; a minute later it is offered again.
        assert rattraper_diffusion() == 0
        Evenement.objects.filter(pk=evenement.pk).update(date=timezone.now() - timedelta(minutes=2))
    finally:
        journal.evenement_a_diffuser.disconnect(dispatch_uid="test")
    journal.evenement_a_diffuser.connect(_receveur(recus), dispatch_uid="test", weak=False)
    try:
        assert rattraper_diffusion() == 1
    finally:
        journal.evenement_a_diffuser.disconnect(dispatch_uid="test")
    assert recus == [evenement.pk, evenement.pk]
    assert Evenement.objects.get(pk=evenement.pk).diffuse_le is not None


def test_le_rattrapage_laisse_les_evenements_trop_anciens():
    from reservations.taches import rattraper_diffusion

    with transaction.atomic():
        reservation = reserver()
    Evenement.objects.filter(reservation=reservation).update(
        date=timezone.now() - timedelta(days=8), diffuse_le=None
    )
    assert rattraper_diffusion() == 0


def test_un_changement_annule_ne_diffuse_rien(django_capture_on_commit_callbacks):
    recus = []
    journal.evenement_a_diffuser.connect(_receveur(recus), dispatch_uid="test", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            reserver()
            transaction.set_rollback(True)
    finally:
        journal.evenement_a_diffuser.disconnect(dispatch_uid="test")
    assert recus == []
    assert not Evenement.objects.filter(type=TypeEvenement.RESERVATION_CREEE).exists()


def _redis_joignable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(URL_REDIS_TEST, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


URL_REDIS_TEST = "redis://127.0.0.1:6379/15"


@pytest.mark.skipif(not _redis_joignable(), reason="Redis n'est pas joignable sur 127.0.0.1")
@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
    RQ_QUEUES={"default": {"URL": URL_REDIS_TEST}},
)
def test_worker_once_traite_la_file_redis():
    import django_rq

    django_rq.get_queue("default").empty()
    resultat = noter.enqueue("par redis")
    call_command("worker", "--once", stdout=StringIO())
    resultat = noter.get_result(resultat.id)
    assert resultat.status == "SUCCESSFUL"
    assert resultat.return_value == "par redis"


@override_settings(TASKS=BASE_DE_DONNEES)
def test_la_purge_supprime_les_taches_terminees_de_plus_d_une_semaine():
    from taches.purge import purger_les_taches_terminees

    ancienne, recente, en_attente = (noter.enqueue(str(i)) for i in range(3))
    call_command("worker", "--once", stdout=StringIO())  # runs the three
    DBTaskResult.objects.filter(pk=ancienne.id).update(
        finished_at=timezone.now() - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=en_attente.id).update(status="READY", finished_at=None)

    assert purger_les_taches_terminees() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        uuid.UUID(recente.id),
        uuid.UUID(en_attente.id),
    }


def test_la_purge_ne_fait_rien_sans_file_en_base():
    from taches.purge import purger_les_taches_terminees

    assert purger_les_taches_terminees() == 0
