"""Stamps shared by the processes of one host, and per-process memos they invalidate.

A ``Marque`` is 8 bytes in a file under ``settings.MARQUES_DIR``, mapped into memory by
every process that reads it: reading it costs a memory read, not a query or a system call.
``changer()`` writes 8 new random bytes there, which every process of the host sees at its
next read. A ``Memo`` keeps values computed from the database in the process, each with
the stamp read *before* the query that produced it: an entry is served only while the
stamp is unchanged and it is younger than ``secondes``. A writer changes the stamp after
its commit (and once at once, for the connection's own later reads), so no process keeps
serving what the change made stale; ``secondes`` bounds what a change that bypasses the
receivers (raw SQL, ``QuerySet.update()``) leaves stale.

Processes on other hosts do not see the file: with several hosts (``CACHE_URL`` set), the
memos are off by default (``MEMO_SECONDES=0``).
"""

import logging
import mmap
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

journal = logging.getLogger(__name__)

_TAILLE = 8
_MEMOS = []


class Marque:
    """A stamp named ``nom``: ``lire()`` its current value (None when it cannot be read,
    e.g. a read-only directory: the memos then keep nothing), ``changer()`` a new one."""

    def __init__(self, nom: str):
        self.nom = nom
        self._carte = None  # the mapping (a fork keeps it: MAP_SHARED), False if unreadable

    def _chemin(self) -> Path:
        return Path(settings.MARQUES_DIR) / self.nom

    def _ouvrir(self):
        chemin = self._chemin()
        try:
            chemin.parent.mkdir(parents=True, exist_ok=True)
            descripteur = os.open(chemin, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(descripteur).st_size < _TAILLE:
                    os.pwrite(descripteur, os.urandom(_TAILLE), 0)
                self._carte = mmap.mmap(descripteur, _TAILLE, mmap.MAP_SHARED, mmap.PROT_READ)
            finally:
                os.close(descripteur)
        except (OSError, ValueError) as exc:  # ValueError: a file shortened meanwhile
            journal.warning("Marque %s illisible (%s) : mémos désactivés", chemin, exc)
            self._carte = False

    def lire(self) -> bytes | None:
        if self._carte is None:
            self._ouvrir()
        return self._carte[:_TAILLE] if self._carte else None

    def changer(self) -> None:
        try:
            self._chemin().parent.mkdir(parents=True, exist_ok=True)
            descripteur = os.open(self._chemin(), os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            journal.warning("Marque %s non changée (%s)", self._chemin(), exc)
            return
        try:
            os.pwrite(descripteur, os.urandom(_TAILLE), 0)
        finally:
            os.close(descripteur)

    def changer_apres_commit(self, using: str = "default") -> None:
        """Changes the stamp now (this connection's next reads see its own changes) and again
        after the commit (what other processes read between the two is made stale again)."""
        self.changer()
        transaction.on_commit(self.changer, using=using)

    def suivre(self, *modeles) -> None:
        """Changes the stamp (``changer_apres_commit``) whenever one of ``modeles`` is saved
        or deleted."""
        for modele in modeles:
            for signal, quoi in ((post_save, "enregistre"), (post_delete, "supprime")):
                signal.connect(
                    self._receveur,
                    sender=modele,
                    dispatch_uid=f"marque_{self.nom}_{modele._meta.label_lower}_{quoi}",
                )

    def _receveur(self, sender, using, **kwargs):
        self.changer_apres_commit(using)


class Memo:
    """Values kept in the process while ``marque`` is unchanged and for ``secondes`` at most
    (``settings.MEMO_SECONDES``; 0 keeps nothing). At most ``maximum`` entries: past them,
    the memo starts again empty."""

    def __init__(self, marque: Marque, *, maximum: int = 10_000):
        self.marque = marque
        self._maximum = maximum
        self._entrees = {}
        _MEMOS.append(self)

    def lire(self, cle):
        """The value kept for ``cle``, or None."""
        entree = self._entrees.get(cle)
        if entree is None:
            return None
        marque, echeance, valeur = entree
        if marque != self.marque.lire() or time.monotonic() > echeance:
            self._entrees.pop(cle, None)
            return None
        return valeur

    def actif(self) -> bool:
        """Whether the memo keeps anything (memos on, the stamp readable)."""
        return settings.MEMO_SECONDES > 0 and self.marque.lire() is not None

    def avant_lecture(self) -> bytes | None:
        """The stamp to give ``garder()``, read before the query whose result it keeps."""
        return self.marque.lire() if settings.MEMO_SECONDES > 0 else None

    def garder(self, cle, valeur, marque: bytes | None) -> None:
        if marque is None:
            return
        if len(self._entrees) >= self._maximum:
            self._entrees.clear()
        self._entrees[cle] = (marque, time.monotonic() + settings.MEMO_SECONDES, valeur)

    def vider(self) -> None:
        self._entrees.clear()


def vider_les_memos() -> None:
    """Empties every memo of the process (tests: a rolled-back transaction changes no
    stamp, so what a test kept must not be served to the next one)."""
    for memo in _MEMOS:
        memo.vider()
