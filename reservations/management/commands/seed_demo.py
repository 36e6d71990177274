"""Demo data: four sites, their departments, users of every role, about fifty ressources,
unavailability periods and four weeks of reservations around today.

Every write goes through the apps' services, as the system (``par=None``) for the reference
data. Idempotent: reference data is matched on natural keys (site name, department and site,
email, ressource name and site) and only what differs is updated; the reservations are
booked through ``services.reserver`` only when no demo reservation exists yet (they carry
``MARQUEUR`` in their description). The random spread comes from ``random.Random(GRAINE)``.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts import services as comptes
from accounts.models import Autorisation, Priorite, Role, User
from resa_project.erreurs import ErreurDomaine
from reservations import journal, services
from reservations.models import (
    Evenement,
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
)
from ressources import services as catalogue
from ressources.models import Etat, Ressource, TypeRessource
from sites import services as referentiel
from sites.models import Department, Site

MOT_DE_PASSE_DEMO = "Resa-demo-2025"
MARQUEUR = "[Démo] "
GRAINE = 20250101
DOMAINE = "resa.example"

# (nom, adresse, ouverture, fermeture, ville, salles, véhicules)
SITES = [
    (
        "Siège Paris La Défense",
        "1 parvis de la Défense, 92800 Puteaux",
        time(7, 30),
        time(20, 0),
        "paris",
        [
            "Seine",
            "Montmartre",
            "Opéra",
            "Concorde",
            "Tuileries",
            "Marais",
            "Auditorium Grande Arche",
        ],
        ["Renault Zoé (GE-214-KL)", "Peugeot e-Expert (FH-503-RT)"],
    ),
    (
        "Campus Lyon Part-Dieu",
        "129 rue Servient, 69003 Lyon",
        time(8, 0),
        time(19, 0),
        "lyon",
        ["Fourvière", "Bellecour", "Croix-Rousse", "Confluence", "Saône", "Rhône", "Terreaux"],
        ["Citroën ë-C4 (GK-871-PL)", "Renault Kangoo (FT-220-ZE)"],
    ),
    (
        "Agence Bordeaux Chartrons",
        "42 quai des Chartrons, 33000 Bordeaux",
        time(8, 30),
        time(18, 30),
        "bordeaux",
        ["Garonne", "Saint-Émilion", "Médoc", "Pessac", "Arcachon", "Bourse", "Pey-Berland"],
        ["Peugeot e-208 (GA-377-BX)", "Toyota Yaris hybride (FS-614-CD)"],
    ),
    (
        "Centre technique Nantes",
        "5 boulevard de l'Estuaire, 44200 Nantes",
        time(7, 0),
        time(19, 0),
        "nantes",
        ["Loire", "Erdre", "Graslin", "Bouffay", "Trentemoult", "Île de Nantes", "Chantenay"],
        ["Renault Master (GH-905-NT)", "Dacia Spring (GD-118-MQ)"],
    ),
]

# Capacity and equipment of the n-th room of a site (the last one is the big room).
GABARITS_SALLE = [
    (12, ["wifi", "ecran", "visio"]),
    (6, ["wifi", "tableau_blanc"]),
    (20, ["wifi", "projecteur", "visio", "climatisation"]),
    (8, ["wifi", "ecran"]),
    (2, ["wifi"]),
    (16, ["wifi", "projecteur", "tableau_blanc"]),
    (80, ["wifi", "projecteur", "sonorisation", "visio", "accessible_pmr"]),
]
EQUIPEMENTS = [
    ("Vidéoprojecteur portable", 1, ["hdmi", "usb_c"]),
    ("Ordinateur portable de prêt", 1, ["windows", "wifi"]),
    ("Kit de visioconférence", 1, ["camera", "micro", "usb"]),
]
EQUIPEMENTS_EN_PLUS = [
    ("Caméra 4K de tournage", 1, ["trepied", "micro"]),
    ("Sonorisation mobile", 1, ["enceintes", "micro_sans_fil"]),
]

DEPARTMENTS = {
    "paris": [("Direction financière", 850000), ("Ressources humaines", 420000)],
    "lyon": [("Commercial Rhône-Alpes", 610000), ("Recherche et développement", 1200000)],
    "bordeaux": [("Service client", 380000), ("Marketing", 540000)],
    "nantes": [("Logistique", 720000), ("Maintenance industrielle", 950000)],
}
MANAGERS = {
    "paris": "Marc Dupont",
    "lyon": "Sophie Martin",
    "bordeaux": "Julien Moreau",
    "nantes": "Claire Lefèvre",
}
# (nom prénom, ville, priorité, autorisations)
EMPLOYES = [
    ("Camille Bernard", "paris", Priorite.STANDARD, [Autorisation.CONFIRMER_RESERVATIONS]),
    ("Lucas Petit", "paris", Priorite.PRIORITAIRE, []),
    ("Léa Robert", "paris", Priorite.STANDARD, [Autorisation.RESERVER_POUR_AUTRUI]),
    ("Hugo Richard", "lyon", Priorite.STANDARD, []),
    ("Chloé Durand", "lyon", Priorite.STANDARD, [Autorisation.GERER_RESSOURCES]),
    ("Nathan Leroy", "lyon", Priorite.STANDARD, []),
    ("Emma Simon", "bordeaux", Priorite.STANDARD, []),
    ("Louis Laurent", "bordeaux", Priorite.PRIORITAIRE, []),
    ("Manon Michel", "bordeaux", Priorite.STANDARD, []),
    ("Jules Garcia", "nantes", Priorite.STANDARD, []),
    ("Inès David", "nantes", Priorite.STANDARD, []),
    ("Gabriel Bertrand", "nantes", Priorite.STANDARD, []),
]
MOTIFS = {
    TypeRessource.SALLE: [
        "Réunion d'équipe",
        "Point projet",
        "Entretien de recrutement",
        "Formation interne",
        "Comité de direction",
        "Atelier de conception",
        "Revue de sprint",
        "Rendez-vous client",
    ],
    TypeRessource.EQUIPEMENT: ["Présentation client", "Formation", "Webinaire", "Démonstration"],
    TypeRessource.VEHICULE: ["Visite client", "Déplacement sur chantier", "Livraison de matériel"],
}
DUREES_MINUTES = {
    TypeRessource.SALLE: [30, 60, 60, 60, 90, 120, 180],
    TypeRessource.EQUIPEMENT: [60, 120, 120, 240],
    TypeRessource.VEHICULE: [120, 240, 240, 480],
}
RESERVATIONS_PAR_JOUR = 14
JOURS_AUTOUR = 14


def _sans_accents(texte):
    table = str.maketrans("éèêëàâîïôöûüçÉ", "eeeeaaiioouucE")
    return texte.translate(table)


def _email(nom_prenom):
    prenom, nom = nom_prenom.split(" ", 1)
    return _sans_accents(f"{prenom}.{nom}".lower().replace(" ", "-")) + f"@{DOMAINE}"


def _differences(objet, valeurs):
    """The values that differ from the stored ones (related objects compared by id)."""
    differences = {}
    for champ, valeur in valeurs.items():
        actuelle = getattr(objet, objet._meta.get_field(champ).attname)
        if actuelle != (valeur.pk if isinstance(valeur, models.Model) else valeur):
            differences[champ] = valeur
    return differences


def _enregistrer(modele, cles, valeurs, *, creer, modifier, **options):
    """update_or_create on a natural key through the services ``creer``/``modifier``, as the
    system; an object already as wanted is left alone."""
    objet = modele.objects.filter(**cles).first()
    if objet is None:
        return creer(par=None, **cles, **valeurs, **options)
    differences = _differences(objet, valeurs)
    if not differences and not options:
        return objet
    return modifier(objet, par=None, **differences, **options)


def _moment(jour, heure):
    return timezone.make_aware(datetime.combine(jour, heure))


class Command(BaseCommand):
    help = "Charge (ou remet à jour) les données de démonstration de Resa."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=MOT_DE_PASSE_DEMO,
            help=f"Mot de passe de tous les comptes de démonstration (défaut : {MOT_DE_PASSE_DEMO}).",
        )

    def handle(self, *args, **options):
        with journal.canal("commande"):
            self._charger(**options)

    @transaction.atomic
    def _charger(self, *, password=MOT_DE_PASSE_DEMO, **options):
        # One hash for every demo account: PBKDF2 twenty times over would take seconds.
        hash_demo = make_password(password)
        dernier_evenement = Evenement.objects.aggregate(dernier=Max("id"))["dernier"] or 0
        sites, admin, personnes = self._referentiel(hash_demo)
        ressources = self._ressources(sites)
        self._disponibilites(sites, ressources, admin)
        creees = self._reservations(ressources, admin, personnes)
        # Demo data is no news: its events are journaled but notify nobody.
        Evenement.objects.filter(pk__gt=dernier_evenement).update(diffuse_le=timezone.now())
        self._resume(creees, password)

    # Reference data -----------------------------------------------------------------------

    def _referentiel(self, hash_demo):
        sites = {}
        for nom, adresse, ouverture, fermeture, ville, *_ in SITES:
            sites[ville] = _enregistrer(
                Site,
                {"nom": nom},
                {
                    "adresse": adresse,
                    "horaires_ouverture": ouverture,
                    "horaires_fermeture": fermeture,
                },
                creer=referentiel.creer_site,
                modifier=referentiel.modifier_site,
            )

        def utilisateur(nom_prenom, email, role, site, **valeurs):
            return _enregistrer(
                User,
                {"email": email},
                {
                    "nom_utilisateur": email.split("@")[0],
                    "nom_prenom": nom_prenom,
                    "role": role,
                    "site_principal": site,
                    "compte_actif": True,
                    "priorite": Priorite.STANDARD,
                    "autorisations": [],
                    **valeurs,
                },
                creer=comptes.creer_utilisateur,
                modifier=comptes.modifier_utilisateur,
                # Stored as is: the given password is the demo accounts' again on each run.
                mot_de_passe_hache=hash_demo,
            )

        admin = utilisateur("Alice Administratrice", f"admin@{DOMAINE}", Role.ADMIN, sites["paris"])
        personnes = {ville: [] for ville in sites}
        for ville, site in sites.items():
            manager = utilisateur(
                MANAGERS[ville],
                f"manager.{ville}@{DOMAINE}",
                Role.MANAGER,
                site,
                priorite=Priorite.PRIORITAIRE,
            )
            departments = [
                _enregistrer(
                    Department,
                    {"nom": nom, "site": site},
                    {"manager": manager, "budget_annuel": budget},
                    creer=referentiel.creer_departement,
                    modifier=referentiel.modifier_departement,
                )
                for nom, budget in DEPARTMENTS[ville]
            ]
            if manager.department_id != departments[0].pk:
                manager = comptes.modifier_utilisateur(manager, par=None, department=departments[0])
            personnes[ville].append(manager)
        for i, (nom_prenom, ville, priorite, autorisations) in enumerate(EMPLOYES):
            departments = list(sites[ville].departments.order_by("id"))
            personnes[ville].append(
                utilisateur(
                    nom_prenom,
                    _email(nom_prenom),
                    Role.EMPLOYE,
                    sites[ville],
                    priorite=priorite,
                    autorisations=[str(a) for a in autorisations],
                    department=departments[i % len(departments)],
                )
            )
        return sites, admin, personnes

    def _ressources(self, sites):
        ressources = []
        for nom_site, _, _, _, ville, salles, vehicules in SITES:
            site = sites[ville]
            batiment = "Tour Alto" if ville == "paris" else "Bâtiment principal"
            for i, (nom, (capacite, caracteristiques)) in enumerate(
                zip(salles, GABARITS_SALLE, strict=True)
            ):
                grande = i == len(salles) - 1
                ressources.append(
                    _enregistrer(
                        Ressource,
                        {"nom": nom if grande else f"Salle {nom}", "site": site},
                        {
                            "type_ressource": TypeRessource.SALLE,
                            "capacite_maximum": capacite,
                            "caracteristiques": caracteristiques,
                            "description": f"Salle de {capacite} places, site {nom_site}.",
                            "localisation_batiment": batiment,
                            "localisation_etage": str(i % 4),
                            "localisation_numero": f"{i % 4}{i + 1:02d}",
                            "etat": Etat.EN_MAINTENANCE
                            if (ville, i) == ("lyon", 3)
                            else Etat.ACTIVE,
                            # The big room of the head office keeps office hours and needs approval.
                            "horaires_ouverture": time(9, 0)
                            if grande and ville == "paris"
                            else None,
                            "horaires_fermeture": time(18, 0)
                            if grande and ville == "paris"
                            else None,
                            "validation_requise": grande and ville == "paris",
                            "tarifs_horaires": 150 if grande else None,
                        },
                        creer=catalogue.creer_ressource,
                        modifier=catalogue.modifier_ressource,
                    )
                )
            equipements = EQUIPEMENTS + (EQUIPEMENTS_EN_PLUS if ville == "paris" else [])
            for j, (nom, capacite, caracteristiques) in enumerate(equipements):
                ressources.append(
                    _enregistrer(
                        Ressource,
                        {"nom": nom, "site": site},
                        {
                            "type_ressource": TypeRessource.EQUIPEMENT,
                            "capacite_maximum": capacite,
                            "caracteristiques": caracteristiques,
                            "description": "À retirer et rapporter à l'accueil.",
                            "localisation_batiment": batiment,
                            "localisation_etage": "0",
                            "localisation_numero": f"Accueil {j + 1}",
                            "etat": Etat.ACTIVE,
                        },
                        creer=catalogue.creer_ressource,
                        modifier=catalogue.modifier_ressource,
                    )
                )
            for k, nom in enumerate(vehicules):
                ressources.append(
                    _enregistrer(
                        Ressource,
                        {"nom": nom, "site": site},
                        {
                            "type_ressource": TypeRessource.VEHICULE,
                            "capacite_maximum": 2 if "Master" in nom or "Expert" in nom else 5,
                            "caracteristiques": ["electrique"]
                            if any(m in nom for m in ("Zoé", "e-", "ë-", "Spring"))
                            else ["thermique"],
                            "description": "Clés à l'accueil, carnet de bord dans la boîte à gants.",
                            "localisation_batiment": "Parking",
                            "localisation_etage": "-1",
                            "localisation_numero": f"P{k + 1}",
                            "etat": Etat.EN_MAINTENANCE
                            if (ville, k) == ("nantes", 0)
                            else Etat.ACTIVE,
                            "validation_requise": (ville, k) == ("lyon", 1),
                            "tarifs_horaires": 12,
                        },
                        creer=catalogue.creer_ressource,
                        modifier=catalogue.modifier_ressource,
                    )
                )
        return ressources

    def _disponibilites(self, sites, ressources, admin):
        par_nom = {(r.site_id, r.nom): r for r in ressources}
        aujourd_hui = timezone.localdate()
        lundi = aujourd_hui - timedelta(days=aujourd_hui.weekday() + JOURS_AUTOUR)
        dans_trois_jours = aujourd_hui + timedelta(days=3)
        debut_fenetre = aujourd_hui - timedelta(days=JOURS_AUTOUR)
        periodes = [
            (
                par_nom[(sites["paris"].pk, "Salle Opéra")],
                "Remplacement du vidéoprojecteur",
                TypeDisponibilite.MAINTENANCE,
                Recurrence.PONCTUEL,
                _moment(dans_trois_jours, time(14, 0)),
                _moment(dans_trois_jours, time(17, 0)),
            ),
            (
                par_nom[(sites["paris"].pk, "Renault Zoé (GE-214-KL)")],
                "Contrôle hebdomadaire du véhicule",
                TypeDisponibilite.MAINTENANCE,
                Recurrence.HEBDOMADAIRE,
                _moment(lundi, time(8, 0)),
                _moment(lundi, time(10, 0)),
            ),
            (
                par_nom[(sites["lyon"].pk, "Kit de visioconférence")],
                "Prêt aux heures de présence du support informatique",
                TypeDisponibilite.DISPONIBILITE_NORMALE,
                Recurrence.QUOTIDIEN,
                _moment(debut_fenetre, time(9, 0)),
                _moment(debut_fenetre, time(17, 0)),
            ),
        ]
        for ressource, raison, type_dispo, recurrence, debut, fin in periodes:
            if ResourceAvailability.objects.filter(
                ressource=ressource, raison_indisponibilite=raison
            ).exists():
                continue
            services.enregistrer_disponibilite(
                ResourceAvailability(
                    ressource=ressource,
                    raison_indisponibilite=raison,
                    type_disponibilite=type_dispo,
                    recurrence=recurrence,
                    debut=debut,
                    fin=fin,
                ),
                par=admin,
                annuler_conflits=True,
            )

    # Reservations -------------------------------------------------------------------------

    def _reservations(self, ressources, admin, personnes):
        if Reservation.objects.filter(description__startswith=MARQUEUR).exists():
            return 0
        rng = random.Random(GRAINE)
        maintenant = timezone.now()
        aujourd_hui = timezone.localdate(maintenant)
        par_site = {}
        for gens in personnes.values():
            par_site[gens[0].site_principal_id] = gens
        reservables = [r for r in ressources if r.etat == Etat.ACTIVE]
        creees = []
        for decalage in range(-JOURS_AUTOUR, JOURS_AUTOUR + 1):
            jour = aujourd_hui + timedelta(days=decalage)
            if jour.weekday() >= 5:
                continue
            for ressource in rng.sample(reservables, RESERVATIONS_PAR_JOUR):
                reservation = self._reserver_au_hasard(
                    rng, ressource, jour, maintenant, admin, par_site[ressource.site_id]
                )
                if reservation is not None:
                    creees.append(reservation)

        passees = [r for r in creees if r.fin <= maintenant]
        a_venir = [r for r in creees if r.debut > maintenant + timedelta(hours=2)]
        for reservation in rng.sample(passees, min(4, len(passees))):
            services.marquer_non_present(reservation, par=admin)
        for reservation in rng.sample(a_venir, min(5, len(a_venir))):
            services.annuler(reservation, par=admin)
        # At the real time, not ``maintenant`` (taken before the bookings): the closing's
        # events and ``date_modification`` come after the creations they follow.
        services.cloturer_journee()
        return len(creees)

    def _reserver_au_hasard(self, rng, ressource, jour, maintenant, admin, gens):
        ouverture, fermeture = ressource.horaires()
        duree = timedelta(minutes=rng.choice(DUREES_MINUTES[ressource.type_ressource]))
        premier = _moment(jour, ouverture)
        premier += timedelta(minutes=-premier.minute % 30)
        creneaux = int((_moment(jour, fermeture) - duree - premier) / timedelta(minutes=30)) + 1
        if creneaux <= 0:
            return None
        debut = premier + rng.randrange(creneaux) * timedelta(minutes=30)
        user = rng.choice(gens)
        motif = rng.choice(MOTIFS[ressource.type_ressource])
        participants = rng.randint(1, max(1, min(ressource.capacite_maximum, 10)))
        try:
            return services.reserver(
                # Past bookings can only be entered by an admin, as in real life.
                par=admin if debut < maintenant else user,
                user=user,
                ressource=ressource,
                debut=debut,
                fin=debut + duree,
                description=f"{MARQUEUR}{motif}",
                nbr_participants=participants,
            )
        except (ValidationError, ErreurDomaine):
            return None

    # Summary ------------------------------------------------------------------------------

    def _resume(self, creees, password):
        ecrire = self.stdout.write
        ecrire(self.style.SUCCESS("Données de démonstration prêtes :"))
        ecrire(
            f"  {Site.objects.count()} sites, {Department.objects.count()} départements, "
            f"{User.objects.count()} utilisateurs, {Ressource.objects.count()} ressources, "
            f"{ResourceAvailability.objects.count()} disponibilités, "
            f"{Reservation.objects.count()} réservations"
            + (f" (dont {creees} créées maintenant)." if creees else ".")
        )
        statuts = dict.fromkeys(StatutReservation.values, 0)
        statuts.update(Reservation.objects.values_list("statut").annotate(n=Count("id")).order_by())
        ecrire("  Par statut : " + ", ".join(f"{s} {n}" for s, n in statuts.items()))
        ecrire("")
        ecrire(f"Comptes de démonstration (mot de passe pour tous : {password}) :")
        comptes = User.objects.filter(email__endswith=f"@{DOMAINE}").order_by("role", "email")
        for user in comptes:
            ecrire(f"  {user.role:<8} {user.email:<38} {user.nom_prenom}")
