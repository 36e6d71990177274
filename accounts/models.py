"""Users of Resa and their API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from resa_project.marques import Marque

# Reminders (API.md C3): at most a week before the start; null means no reminder.
RAPPEL_MINUTES_DEFAUT = 30
RAPPEL_MINUTES_MAX = 7 * 24 * 60

MSG_GERE_DEPARTEMENTS = (
    "Cet utilisateur gère encore des départements : désignez d'abord un autre manager."
)


# Changed whenever a token or an account may have changed (accounts/signaux.py): the
# processes' memos of tokens and their users (accounts/authentication.py) start again.
MARQUE_COMPTES = Marque("comptes")


class Role(models.TextChoices):
    EMPLOYE = "employe", "Employé"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Administrateur"


class Priorite(models.TextChoices):
    STANDARD = "standard", "Standard"
    PRIORITAIRE = "prioritaire", "Prioritaire"


class Autorisation(models.TextChoices):
    RESERVER_POUR_AUTRUI = "reserver_pour_autrui", "Réserver pour autrui"
    CONFIRMER_RESERVATIONS = "confirmer_reservations", "Confirmer les réservations"
    GERER_RESSOURCES = "gerer_ressources", "Gérer les ressources"


def valider_autorisations(value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Les autorisations doivent être une liste de chaînes.")
    inconnues = sorted(set(value) - set(Autorisation.values))
    if inconnues:
        raise ValidationError(f"Autorisation(s) inconnue(s) : {', '.join(inconnues)}.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("L'email est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("role", Role.EMPLOYE)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields["role"] = Role.ADMIN
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser):
    """An employee. Logs in with ``email``; ``role`` and ``autorisations`` decide what they may do.

    Back-office access (Django admin) is for admins only: ``is_staff`` and every admin
    permission derive from ``role``, so there is no second source of truth to keep in sync.
    """

    nom_utilisateur = models.CharField(
        "nom d'utilisateur", max_length=150, unique=True, validators=[MinLengthValidator(3)]
    )
    email = models.EmailField("adresse e-mail", max_length=254, unique=True)
    nom_prenom = models.CharField(
        "nom et prénom", max_length=200, validators=[MinLengthValidator(3)]
    )
    role = models.CharField("rôle", max_length=16, choices=Role.choices, default=Role.EMPLOYE)
    autorisations = models.JSONField(
        "autorisations", default=list, blank=True, validators=[valider_autorisations]
    )
    priorite = models.CharField(
        "priorité", max_length=16, choices=Priorite.choices, default=Priorite.STANDARD
    )
    compte_actif = models.BooleanField("compte actif", default=True)
    site_principal = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="utilisateurs",
        verbose_name="site principal",
    )
    department = models.ForeignKey(
        "sites.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membres",
        verbose_name="département",
    )
    date_creation = models.DateTimeField("date de création", auto_now_add=True)
    # Preferences (API.md C3, ``/auth/me/preferences``).
    notifications_email = models.BooleanField(
        "notifications par e-mail",
        default=True,
        help_text="Faux : aucun message, rappels compris.",
    )
    rappel_minutes = models.PositiveIntegerField(
        "rappel (minutes avant le début)",
        null=True,
        blank=True,
        default=RAPPEL_MINUTES_DEFAUT,
        validators=[MinValueValidator(0), MaxValueValidator(RAPPEL_MINUTES_MAX)],
        help_text=f"De 0 à {RAPPEL_MINUTES_MAX} ; vide : aucun rappel.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nom_utilisateur", "nom_prenom"]

    class Meta:
        ordering = ["id"]
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(priorite__in=Priorite.values), name="user_priorite_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(rappel_minutes__isnull=True)
                | models.Q(rappel_minutes__gte=0, rappel_minutes__lte=RAPPEL_MINUTES_MAX),
                name="user_rappel_minutes_borne",
            ),
        ]
        indexes = [models.Index(fields=["role"])]

    def __str__(self):
        return f"{self.nom_prenom} <{self.email}>"

    # Django auth glue: activity and back-office rights follow the domain fields.
    @property
    def is_active(self):
        return self.compte_actif

    @property
    def is_staff(self):
        return self.compte_actif and self.role == Role.ADMIN

    @property
    def is_superuser(self):
        return self.is_staff

    def has_perm(self, perm, obj=None):
        return self.is_staff

    def has_module_perms(self, app_label):
        return self.is_staff

    # Domain vocabulary used by permissions and services.
    @property
    def est_admin(self):
        return self.role == Role.ADMIN

    @property
    def est_manager_ou_admin(self):
        return self.role in (Role.MANAGER, Role.ADMIN)

    def a_autorisation(self, autorisation):
        return autorisation in (self.autorisations or [])

    def clean(self):
        super().clean()
        if self.email:
            self.email = self.email.strip().lower()
        if self.pk and not self.est_manager_ou_admin and self.departments_geres.exists():
            raise ValidationError({"role": MSG_GERE_DEPARTEMENTS})

    def save(self, *args, **kwargs):
        mot_de_passe_change = self._password is not None  # set by set_password()
        super().save(*args, **kwargs)
        if not self.compte_actif or mot_de_passe_change:
            # A deactivated account or a new password closes every session at once,
            # whatever entry point did it.
            self.tokens.all().delete()


class AuthToken(models.Model):
    """An API session. Only the SHA-256 of the random token is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="tokens", verbose_name="utilisateur"
    )
    cle_hash = models.CharField("empreinte de la clé", max_length=64, unique=True)
    date_creation = models.DateTimeField("date de création", auto_now_add=True)
    expire_le = models.DateTimeField("date d'expiration", db_index=True)

    class Meta:
        verbose_name = "jeton d'authentification"
        verbose_name_plural = "jetons d'authentification"

    def __str__(self):
        return f"Jeton de {self.user_id} (expire le {self.expire_le:%Y-%m-%d %H:%M})"

    @staticmethod
    def hacher(cle: str) -> str:
        return hashlib.sha256(cle.encode()).hexdigest()

    @classmethod
    def emettre(cls, user) -> str:
        """Create a token for ``user`` and return its clear value (shown once, never stored)."""
        cle = secrets.token_urlsafe(32)  # 256 bits
        cls.objects.create(
            user=user,
            cle_hash=cls.hacher(cle),
            expire_le=timezone.now() + settings.TOKEN_LIFETIME,
        )
        return cle
