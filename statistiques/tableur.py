"""CSV written row by row (``StreamingHttpResponse``), safe to open in a spreadsheet."""

import csv
import io

from django.http import StreamingHttpResponse

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


LIGNES_PAR_MORCEAU = 500


def cellule(valeur):
    """A cell's text; text that a spreadsheet would run as a formula starts with a quote.
    Numbers stay numbers (a negative figure is not a formula)."""
    if valeur is None:
        return ""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur


def lignes_csv(entete, lignes):
    """The CSV text in pieces of ``LIGNES_PAR_MORCEAU`` rows (the header first)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon)
    ecrivain.writerow(entete)
    for i, ligne in enumerate(lignes, start=1):
        ecrivain.writerow([cellule(valeur) for valeur in ligne])
        if i % LIGNES_PAR_MORCEAU == 0:
            yield tampon.getvalue()
            tampon.seek(0)
            tampon.truncate()
    yield tampon.getvalue()


def reponse_csv(entete, lignes, nom_fichier: str) -> StreamingHttpResponse:
    reponse = StreamingHttpResponse(
        (morceau.encode("utf-8") for morceau in lignes_csv(entete, lignes)),
        content_type="text/csv; charset=utf-8",
    )
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse
