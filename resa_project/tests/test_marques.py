"""Stamps shared by the processes of a host and the memos they invalidate
(resa_project.marques)."""

import time

import pytest

from resa_project.marques import Marque, Memo


@pytest.fixture
def dossier(tmp_path, settings):
    settings.MARQUES_DIR = str(tmp_path / "marques" / "neuf")  # not made yet
    settings.MEMO_SECONDES = 30
    return tmp_path / "marques" / "neuf"


def test_a_writer_that_never_read_makes_the_stamp(dossier):
    Marque("essai").changer()

    assert (dossier / "essai").stat().st_size == 8


def test_every_mapping_of_a_stamp_sees_each_change(dossier):
    lecteur, ecrivain = Marque("essai"), Marque("essai")  # as two processes map it
    avant = lecteur.lire()
    ecrivain.changer()
    apres = lecteur.lire()

    assert avant is not None and apres != avant
    assert ecrivain.lire() == apres


def test_a_memo_serves_while_its_stamp_is_unchanged(dossier):
    marque = Marque("essai")
    memo = Memo(marque)
    memo.garder("cle", [1, 2], memo.avant_lecture())

    assert memo.lire("cle") == [1, 2]
    Marque("essai").changer()
    assert memo.lire("cle") is None


def test_a_value_read_before_a_change_is_never_served_after_it(dossier):
    memo = Memo(Marque("essai"))
    marque = memo.avant_lecture()  # then the query, while another process writes
    Marque("essai").changer()
    memo.garder("cle", "périmée", marque)

    assert memo.lire("cle") is None


def test_a_memo_forgets_after_memo_secondes(dossier, monkeypatch, settings):
    memo = Memo(Marque("essai"))
    memo.garder("cle", "valeur", memo.avant_lecture())
    plus_tard = time.monotonic() + settings.MEMO_SECONDES + 1
    monkeypatch.setattr("resa_project.marques.time.monotonic", lambda: plus_tard)

    assert memo.lire("cle") is None


def test_memos_off_keep_nothing(dossier, settings):
    settings.MEMO_SECONDES = 0
    memo = Memo(Marque("essai"))
    memo.garder("cle", "valeur", memo.avant_lecture())

    assert not memo.actif()
    assert memo.lire("cle") is None


def test_a_full_memo_starts_again_empty(dossier):
    memo = Memo(Marque("essai"), maximum=2)
    for cle in ("a", "b", "c"):
        memo.garder(cle, cle, memo.avant_lecture())

    assert [memo.lire(cle) for cle in ("a", "b", "c")] == [None, None, "c"]
