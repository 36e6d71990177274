"""The longest booking each type of ressource admits: a booking rule, read by
``regles`` (the per-type check and the free search) and by ``models`` (the absolute bound
behind ``chevauche`` and the ``reservation_duree_maximum`` constraint). Its own module so
that both can import it without importing each other."""

from datetime import timedelta

from ressources.models import TypeRessource

DUREE_MAXIMUM = {
    TypeRessource.SALLE: timedelta(hours=8),
    TypeRessource.EQUIPEMENT: timedelta(hours=8),
    TypeRessource.VEHICULE: timedelta(hours=24),
}


def duree_maximum(ressource) -> timedelta:
    """The longest booking of ``ressource`` (by its type)."""
    return DUREE_MAXIMUM[ressource.type_ressource]
