"""Domain errors: raised by services, turned into the contract's JSON by one handler.

Each carries the HTTP status the API answers and the stable machine-readable ``code`` of
the contract (B+ "Error codes"), so clients branch on ``code``, never on French text.
"""

from django.db.models import ProtectedError, RestrictedError

MSG_REFERENCE = "Cet objet est encore référencé ({objets}) : suppression impossible."


class ErreurDomaine(Exception):
    """A rule of the domain refused an action. ``status_code`` is what the API answers."""

    status_code = 409
    code = "etat_incompatible"
    detail = "Action impossible dans l'état actuel."

    def __init__(self, detail=None, **donnees):
        self.detail = detail or self.detail
        self.donnees = donnees
        super().__init__(self.detail)


class ConflitEtat(ErreurDomaine):
    """The object's status or the clock does not allow the action (already cancelled...)."""

    code = "etat_incompatible"


class ObjetReference(ErreurDomaine):
    """The object is still referenced by others: it cannot be deleted."""

    code = "objet_reference"

    @classmethod
    def depuis(cls, exc: ProtectedError | RestrictedError) -> "ObjetReference":
        """The error for a deletion the database refused, naming what still refers to it."""
        lies = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        objets = sorted({str(obj._meta.verbose_name_plural) for obj in lies})
        return cls(MSG_REFERENCE.format(objets=", ".join(objets)))


class Doublon(ErreurDomaine):
    """A unique name (or email) is already taken."""

    code = "doublon"
