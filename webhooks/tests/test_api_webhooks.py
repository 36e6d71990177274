"""``/webhooks`` through HTTP: admins only, strict input, the network rule at creation and
update, the secret only in the creation and rotation answers, the delivery log, ping,
rejouer, and a fixed number of SQL queries per list."""

import json

import pytest
from standardwebhooks import Webhook

from webhooks.models import Abonnement, Livraison
from webhooks.tests.factories import AbonnementFactory, LivraisonFactory

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"
URL = "https://hooks.example.com/resa?jeton=s3cr3t"
CORPS = {"url": URL, "evenements": ["reservation.creee", "reservation.annulee"]}
CHAMPS = {"id", "url", "evenements", "actif", "description", "date_creation"}
CHAMPS_LIVRAISON = {
    "id",
    "evenement_id",
    "type",
    "statut",
    "tentatives",
    "dernier_code",
    "derniere_erreur",
    "prochaine_tentative",
    "date_creation",
}


@pytest.fixture(autouse=True)
def noms(dns):
    dns.noms["hooks.example.com"] = [PUBLIC]
    dns.noms["autre.example.com"] = [PUBLIC, "2606:4700::1111"]
    dns.noms["interne.example.com"] = ["10.1.2.3"]
    dns.noms["metadonnees.example.com"] = ["169.254.169.254"]
    dns.noms["boucle.example.com"] = ["::1"]
    return dns


@pytest.fixture
def abonnement(db):
    return AbonnementFactory(url=URL)


# --- Who may -------------------------------------------------------------------------------


def _matrice():
    admin_ok = {"anonyme": 401, "employe": 403, "manager": 403}
    return [
        ("get", "/webhooks/", None, {**admin_ok, "admin": 200}),
        ("post", "/webhooks/", CORPS, {**admin_ok, "admin": 201}),
        ("get", "/webhooks/{id}", None, {**admin_ok, "admin": 200}),
        ("put", "/webhooks/{id}", {"description": "x"}, {**admin_ok, "admin": 200}),
        ("patch", "/webhooks/{id}", {"actif": False}, {**admin_ok, "admin": 200}),
        ("delete", "/webhooks/{id}", None, {**admin_ok, "admin": 200}),
        ("post", "/webhooks/{id}/secret", None, {**admin_ok, "admin": 200}),
        ("post", "/webhooks/{id}/ping", None, {**admin_ok, "admin": 202}),
        ("get", "/webhooks/{id}/livraisons", None, {**admin_ok, "admin": 200}),
        ("post", "/webhooks/{id}/livraisons/{lid}/rejouer", None, {**admin_ok, "admin": 202}),
    ]


@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
@pytest.mark.parametrize(("methode", "chemin", "corps", "statuts"), _matrice())
def test_only_admins_manage_webhooks(clients, role, methode, chemin, corps, statuts):
    abonnement = AbonnementFactory(url=URL)
    livraison = LivraisonFactory(abonnement=abonnement)
    url = chemin.format(id=abonnement.pk, lid=livraison.pk)

    reponse = getattr(clients[role], methode)(url, corps, format="json")

    assert reponse.status_code == statuts[role], reponse.content
    if reponse.status_code >= 400:
        attendu = {401: "non_authentifie", 403: "permission_refusee"}[reponse.status_code]
        assert reponse.json()["code"] == attendu
        assert Abonnement.objects.filter(pk=abonnement.pk, url=URL, actif=True).exists()


# --- Creating ------------------------------------------------------------------------------


def test_creating_answers_201_with_the_secret_once(client_admin):
    reponse = client_admin.post(
        "/webhooks/", {**CORPS, "description": "Écran du hall"}, format="json"
    )

    assert reponse.status_code == 201
    corps = reponse.json()
    assert set(corps) == CHAMPS | {"secret"}
    assert corps["url"] == URL
    assert corps["evenements"] == CORPS["evenements"]
    assert corps["actif"] is True
    assert corps["description"] == "Écran du hall"
    assert corps["secret"].startswith("whsec_")
    Webhook(corps["secret"])  # a valid Standard Webhooks secret
    abonnement = Abonnement.objects.get(pk=corps["id"])
    assert abonnement.secret == corps["secret"]

    secret = corps["secret"]
    LivraisonFactory(abonnement=abonnement)
    for chemin in (
        "/webhooks/",
        f"/webhooks/{abonnement.pk}",
        f"/webhooks/{abonnement.pk}/livraisons",
    ):
        lu = client_admin.get(chemin)
        assert lu.status_code == 200
        assert secret not in lu.content.decode()
        assert "secret" not in lu.content.decode()
    modifie = client_admin.patch(f"/webhooks/{abonnement.pk}", {"description": "y"}, format="json")
    assert secret not in modifie.content.decode()
    assert set(modifie.json()) == CHAMPS


def test_the_secret_given_in_a_body_is_ignored(client_admin):
    reponse = client_admin.post("/webhooks/", {**CORPS, "secret": "whsec_AAAA"}, format="json")

    assert reponse.status_code == 201
    assert reponse.json()["secret"] != "whsec_AAAA"


def test_all_events_is_star_alone_and_duplicates_are_dropped(client_admin):
    tout = client_admin.post("/webhooks/", {"url": URL, "evenements": ["*"]}, format="json")
    doublons = client_admin.post(
        "/webhooks/",
        {"url": URL, "evenements": ["reservation.creee", "reservation.creee"]},
        format="json",
    )

    assert tout.status_code == 201
    assert tout.json()["evenements"] == ["*"]
    assert doublons.json()["evenements"] == ["reservation.creee"]


@pytest.mark.parametrize(
    ("corps", "champ"),
    [
        ({"evenements": ["*"]}, "url"),
        ({"url": URL}, "evenements"),
        ({**CORPS, "url": "ftp://hooks.example.com/"}, "url"),
        ({**CORPS, "url": "hooks.example.com"}, "url"),
        ({**CORPS, "url": "https://" + "a" * 2000 + ".example.com/"}, "url"),
        ({**CORPS, "url": None}, "url"),
        ({**CORPS, "url": ["https://hooks.example.com/"]}, "url"),
        ({**CORPS, "url": "https://inconnu.example.com/"}, "url"),
        ({**CORPS, "url": "http://10.0.0.1/"}, "url"),
        ({**CORPS, "url": "http://192.168.1.20:8080/"}, "url"),
        ({**CORPS, "url": "http://127.0.0.1:8000/"}, "url"),
        ({**CORPS, "url": "http://localhost/"}, "url"),
        ({**CORPS, "url": "http://169.254.169.254/latest/meta-data/"}, "url"),
        ({**CORPS, "url": "http://[::1]/"}, "url"),
        ({**CORPS, "url": "http://[fe80::1]/"}, "url"),
        ({**CORPS, "url": "http://[fd00::1]/"}, "url"),
        ({**CORPS, "url": "http://[::ffff:127.0.0.1]/"}, "url"),
        ({**CORPS, "url": "http://[::ffff:10.0.0.1]/"}, "url"),
        ({**CORPS, "url": "https://interne.example.com/"}, "url"),
        ({**CORPS, "url": "https://metadonnees.example.com/"}, "url"),
        ({**CORPS, "url": "https://boucle.example.com/"}, "url"),
        ({**CORPS, "evenements": []}, "evenements"),
        ({**CORPS, "evenements": "reservation.creee"}, "evenements"),
        ({**CORPS, "evenements": ["reservation.inventee"]}, "evenements"),
        ({**CORPS, "evenements": ["*", "reservation.creee"]}, "evenements"),
        ({**CORPS, "evenements": [1]}, "evenements"),
        ({**CORPS, "evenements": [None]}, "evenements"),
        ({**CORPS, "evenements": [["*"]]}, "evenements"),
        ({**CORPS, "evenements": None}, "evenements"),
        ({**CORPS, "actif": 1}, "actif"),
        ({**CORPS, "actif": "oui"}, "actif"),
        ({**CORPS, "actif": None}, "actif"),
        ({**CORPS, "description": None}, "description"),
        ({**CORPS, "description": "x" * 501}, "description"),
        ({**CORPS, "description": "\x00"}, "description"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_admin, corps, champ):
    reponse = client_admin.post("/webhooks/", corps, format="json")

    assert reponse.status_code == 400, reponse.content
    assert reponse.json()["code"] == "validation"
    assert champ in reponse.json()["errors"]
    assert isinstance(reponse.json()["detail"], str)
    assert not Abonnement.objects.exists()


@pytest.mark.parametrize("corps", [[], "chaîne", 12, None])
def test_a_body_that_is_not_an_object_is_a_400(client_admin, corps):
    reponse = client_admin.post("/webhooks/", json.dumps(corps), content_type="application/json")
    assert reponse.status_code == 400


def test_a_refused_address_is_named_in_the_message(client_admin):
    reponse = client_admin.post(
        "/webhooks/", {**CORPS, "url": "https://interne.example.com/"}, format="json"
    )

    message = reponse.json()["errors"]["url"][0]
    assert "10.1.2.3" in message
    assert "privée" in message


def test_an_allowed_range_accepts_its_addresses(client_admin, settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = ["10.0.0.0/8", "127.0.0.0/8"]

    intranet = client_admin.post(
        "/webhooks/", {**CORPS, "url": "https://interne.example.com/"}, format="json"
    )
    boucle = client_admin.post(
        "/webhooks/", {**CORPS, "url": "http://127.0.0.1:8000/"}, format="json"
    )
    prive_hors_plage = client_admin.post(
        "/webhooks/", {**CORPS, "url": "http://192.168.1.1/"}, format="json"
    )

    assert intranet.status_code == 201
    assert boucle.status_code == 201
    assert prive_hors_plage.status_code == 400


# --- Reading, changing, deleting -----------------------------------------------------------


def test_the_list_is_items_meta_oldest_first_and_filters_actif(client_admin):
    premier, second = AbonnementFactory(), AbonnementFactory(actif=False)

    tout = client_admin.get("/webhooks/").json()
    actifs = client_admin.get("/webhooks/", {"actif": "true"}).json()

    assert [a["id"] for a in tout["items"]] == [premier.pk, second.pk]
    assert tout["meta"] == {"total": 2, "offset": 0, "limit": 100, "returned": 2}
    assert set(tout["items"][0]) == CHAMPS
    assert [a["id"] for a in actifs["items"]] == [premier.pk]


@pytest.mark.parametrize(
    "parametres", [{"actif": "1"}, {"actif": "TRUE"}, {"offset": "-1"}, {"limit": "0"}]
)
def test_bad_list_parameters_are_400s(client_admin, parametres):
    reponse = client_admin.get("/webhooks/", parametres)
    assert reponse.status_code == 400
    assert set(reponse.json()["errors"]) == set(parametres)


def test_detail_and_unknown_ids(client_admin, abonnement):
    assert client_admin.get(f"/webhooks/{abonnement.pk}").json()["url"] == URL
    for chemin in ("/webhooks/999999", "/webhooks/9223372036854775808", "/webhooks/abc"):
        reponse = client_admin.get(chemin)
        assert reponse.status_code == 404
        assert reponse.json()["code"] == "introuvable"


def test_patch_and_put_change_only_what_they_are_given(client_admin, abonnement, noms):
    noms.appels.clear()

    patch = client_admin.patch(
        f"/webhooks/{abonnement.pk}", {"evenements": ["disponibilite.creee"]}, format="json"
    )
    put = client_admin.put(
        f"/webhooks/{abonnement.pk}", {"actif": False, "description": "En pause"}, format="json"
    )

    assert patch.status_code == 200
    assert put.status_code == 200
    assert put.json() == {
        **put.json(),
        "url": URL,
        "evenements": ["disponibilite.creee"],
        "actif": False,
        "description": "En pause",
    }
    assert noms.appels == []  # the URL was not given: nothing resolved
    abonnement.refresh_from_db()
    assert (abonnement.actif, abonnement.evenements) == (False, ["disponibilite.creee"])


def test_a_new_url_is_checked_again(client_admin, abonnement):
    refusee = client_admin.patch(
        f"/webhooks/{abonnement.pk}", {"url": "https://interne.example.com/"}, format="json"
    )
    acceptee = client_admin.patch(
        f"/webhooks/{abonnement.pk}", {"url": "https://autre.example.com/v2"}, format="json"
    )

    assert refusee.status_code == 400
    assert "url" in refusee.json()["errors"]
    assert acceptee.status_code == 200
    abonnement.refresh_from_db()
    assert abonnement.url == "https://autre.example.com/v2"


def test_bad_updates_are_400s_and_change_nothing(client_admin, abonnement):
    for corps in ({"actif": "peut-être"}, {"evenements": []}, {"url": "http://[::1]:80/"}):
        reponse = client_admin.patch(f"/webhooks/{abonnement.pk}", corps, format="json")
        assert reponse.status_code == 400
        assert set(reponse.json()["errors"]) == set(corps)
    abonnement.refresh_from_db()
    assert (abonnement.url, abonnement.actif, abonnement.evenements) == (URL, True, ["*"])


def test_delete_answers_ok_and_takes_the_deliveries_along(client_admin, abonnement):
    LivraisonFactory.create_batch(3, abonnement=abonnement)
    autre = LivraisonFactory()

    reponse = client_admin.delete(f"/webhooks/{abonnement.pk}")

    assert reponse.status_code == 200
    assert reponse.json() == {"ok": True}
    assert not Abonnement.objects.filter(pk=abonnement.pk).exists()
    assert list(Livraison.objects.all()) == [autre]
    assert client_admin.delete(f"/webhooks/{abonnement.pk}").status_code == 404


# --- Secret, ping, deliveries, rejouer ---------------------------------------------------------


def test_rotating_gives_a_new_secret_once(client_admin, abonnement):
    ancien = abonnement.secret

    reponse = client_admin.post(f"/webhooks/{abonnement.pk}/secret")

    assert reponse.status_code == 200
    assert set(reponse.json()) == CHAMPS | {"secret"}
    nouveau = reponse.json()["secret"]
    assert nouveau.startswith("whsec_") and nouveau != ancien
    abonnement.refresh_from_db()
    assert abonnement.secret == nouveau
    assert nouveau not in client_admin.get(f"/webhooks/{abonnement.pk}").content.decode()


def test_ping_queues_a_webhook_ping_delivery(client_admin, abonnement):
    reponse = client_admin.post(f"/webhooks/{abonnement.pk}/ping")

    assert reponse.status_code == 202
    corps = reponse.json()
    assert set(corps) == CHAMPS_LIVRAISON
    assert (corps["type"], corps["statut"], corps["evenement_id"]) == (
        "webhook.ping",
        "en_attente",
        None,
    )
    livraison = Livraison.objects.get(pk=corps["id"])
    assert livraison.abonnement_id == abonnement.pk
    assert json.loads(livraison.corps)["type"] == "webhook.ping"


def test_ping_and_rejouer_on_an_inactive_subscription_are_409s(client_admin):
    abonnement = AbonnementFactory(actif=False)
    livraison = LivraisonFactory(abonnement=abonnement, statut="echec")

    ping = client_admin.post(f"/webhooks/{abonnement.pk}/ping")
    rejouer = client_admin.post(f"/webhooks/{abonnement.pk}/livraisons/{livraison.pk}/rejouer")

    for reponse in (ping, rejouer):
        assert reponse.status_code == 409
        assert reponse.json()["code"] == "etat_incompatible"
    assert Livraison.objects.count() == 1
    livraison.refresh_from_db()
    assert livraison.statut == "echec"


def test_a_ping_through_the_api_reaches_the_receiver_signed(
    client_admin, recepteur, boucle_autorisee, django_capture_on_commit_callbacks
):
    cree = client_admin.post(
        "/webhooks/", {"url": recepteur.url(), "evenements": ["*"]}, format="json"
    ).json()

    with django_capture_on_commit_callbacks(execute=True):
        ping = client_admin.post(f"/webhooks/{cree['id']}/ping").json()

    (requete,) = recepteur.requetes
    assert requete.entetes["webhook-id"] == f"ping-{ping['id']}"
    assert Webhook(cree["secret"]).verify(requete.corps, requete.entetes)["type"] == "webhook.ping"
    livraison = client_admin.get(f"/webhooks/{cree['id']}/livraisons").json()["items"][0]
    assert (livraison["statut"], livraison["tentatives"], livraison["dernier_code"]) == (
        "livree",
        1,
        200,
    )


def test_the_delivery_log_is_newest_first_and_filtered(client_admin, abonnement):
    ancienne = LivraisonFactory(abonnement=abonnement, statut="livree", dernier_code=200)
    recente = LivraisonFactory(
        abonnement=abonnement,
        statut="echec",
        tentatives=10,
        dernier_code=500,
        derniere_erreur="Réponse HTTP 500",
        prochaine_tentative=None,
    )
    LivraisonFactory()  # another subscription's

    tout = client_admin.get(f"/webhooks/{abonnement.pk}/livraisons").json()
    echecs = client_admin.get(f"/webhooks/{abonnement.pk}/livraisons", {"statut": "echec"}).json()

    assert [livraison["id"] for livraison in tout["items"]] == [recente.pk, ancienne.pk]
    assert tout["meta"]["total"] == 2
    assert tout["items"][0] == {
        "id": recente.pk,
        "evenement_id": None,
        "type": "webhook.ping",
        "statut": "echec",
        "tentatives": 10,
        "dernier_code": 500,
        "derniere_erreur": "Réponse HTTP 500",
        "prochaine_tentative": None,
        "date_creation": tout["items"][0]["date_creation"],
    }
    assert [livraison["id"] for livraison in echecs["items"]] == [recente.pk]


@pytest.mark.parametrize(
    "parametres", [{"statut": "perdue"}, {"type": "reservation.inventee"}, {"limit": "1000"}]
)
def test_bad_delivery_log_parameters_are_400s(client_admin, abonnement, parametres):
    reponse = client_admin.get(f"/webhooks/{abonnement.pk}/livraisons", parametres)
    assert reponse.status_code == 400
    assert set(reponse.json()["errors"]) == set(parametres)


def test_rejouer_queues_the_delivery_again_due_now(client_admin, abonnement):
    livraison = LivraisonFactory(
        abonnement=abonnement,
        statut="echec",
        tentatives=10,
        dernier_code=500,
        prochaine_tentative=None,
    )

    reponse = client_admin.post(f"/webhooks/{abonnement.pk}/livraisons/{livraison.pk}/rejouer")

    assert reponse.status_code == 202
    assert reponse.json()["statut"] == "en_attente"
    assert reponse.json()["tentatives"] == 0
    assert reponse.json()["prochaine_tentative"] is not None
    assert Livraison.objects.dues().filter(pk=livraison.pk).exists()


def test_rejouer_only_finds_deliveries_of_that_subscription(client_admin, abonnement):
    autre = LivraisonFactory()

    for lid in (autre.pk, 999999, "9223372036854775808"):
        reponse = client_admin.post(f"/webhooks/{abonnement.pk}/livraisons/{lid}/rejouer")
        assert reponse.status_code == 404


# --- Query counts and documentation ------------------------------------------------------------


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_list_answers_in_a_fixed_number_of_queries(
    client_admin, django_assert_max_num_queries, nombre
):
    AbonnementFactory.create_batch(nombre)
    with django_assert_max_num_queries(3):  # token, count, page
        reponse = client_admin.get("/webhooks/")
    assert reponse.json()["meta"]["returned"] == nombre


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_detail_answers_in_a_fixed_number_of_queries(
    client_admin, django_assert_max_num_queries, nombre
):
    abonnement = AbonnementFactory()
    LivraisonFactory.create_batch(nombre, abonnement=abonnement)
    with django_assert_max_num_queries(2):  # token, subscription
        assert client_admin.get(f"/webhooks/{abonnement.pk}").status_code == 200


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_delivery_log_answers_in_a_fixed_number_of_queries(
    client_admin, django_assert_max_num_queries, nombre
):
    abonnement = AbonnementFactory()
    LivraisonFactory.create_batch(nombre, abonnement=abonnement)
    with django_assert_max_num_queries(4):  # token, subscription, count, page
        reponse = client_admin.get(f"/webhooks/{abonnement.pk}/livraisons")
    assert reponse.json()["meta"]["returned"] == nombre


def test_the_openapi_document_describes_every_webhook_operation(api_client):
    schema = api_client.get("/openapi.json").json()

    for chemin, methodes in {
        "/webhooks/": ["get", "post"],
        "/webhooks/{id}": ["get", "put", "patch", "delete"],
        "/webhooks/{id}/secret": ["post"],
        "/webhooks/{id}/ping": ["post"],
        "/webhooks/{id}/livraisons": ["get"],
        "/webhooks/{id}/livraisons/{lid}/rejouer": ["post"],
    }.items():
        for methode in methodes:
            operation = schema["paths"][chemin][methode]
            assert operation["tags"] == ["webhooks"]
            assert operation["summary"]
            assert "403" in operation["responses"]
    creation = schema["paths"]["/webhooks/"]["post"]
    assert "webhook-signature" in creation["description"]
    assert "secret" in schema["components"]["schemas"]["AbonnementAvecSecret"]["properties"]
    assert "secret" not in schema["components"]["schemas"]["Abonnement"]["properties"]
