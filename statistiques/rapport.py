"""The printable report (``/statistiques/rapport.pdf``), drawn with reportlab: no system
library, no external asset (the PDF's standard Helvetica fonts, charts as vector
drawings)."""

from io import BytesIO

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

NB_CLASSEMENT = 10
LIBELLES = {
    "reservations": "Réservations",
    "confirmees": "Confirmées",
    "annulees": "Annulées",
    "non_presentes": "Non présentées",
    "heures_reservees": "Heures réservées",
    "taux_occupation": "Taux d'occupation (%)",
    "taux_annulation": "Taux d'annulation (%)",
    "taux_non_presentation": "Taux de non-présentation (%)",
    "duree_moyenne_minutes": "Durée moyenne (minutes)",
    "delai_moyen_heures": "Délai moyen de réservation (heures)",
}
BLEU = colors.HexColor("#3366AA")
STYLE_TABLEAU = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E9F2")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
)


def _nombre(valeur) -> str:
    if valeur is None:
        return "—"
    if isinstance(valeur, int):
        return f"{valeur:,}".replace(",", " ")
    return f"{valeur:,.2f}".replace(",", " ").replace(".", ",")


def _court(texte: str, longueur: int = 18) -> str:
    return texte if len(texte) <= longueur else texte[: longueur - 1] + "…"


def diagramme_barres(lignes, titre: str) -> Drawing:
    """Occupancy per group, in percent."""
    largeur, hauteur = 17 * cm, 7 * cm
    dessin = Drawing(largeur, hauteur)
    dessin.add(String(0, hauteur - 12, titre, fontName="Helvetica-Bold", fontSize=10))
    if not lignes:
        dessin.add(String(0, hauteur / 2, "Aucune donnée.", fontName="Helvetica", fontSize=9))
        return dessin
    graphique = VerticalBarChart()
    graphique.x, graphique.y = 30, 55
    graphique.width, graphique.height = largeur - 40, hauteur - 80
    graphique.data = [[ligne["taux_occupation"] or 0 for ligne in lignes]]
    graphique.bars[0].fillColor = BLEU
    graphique.valueAxis.valueMin = 0
    maximum = max(graphique.data[0]) or 1
    graphique.valueAxis.valueMax = max(10, min(100, maximum * 1.2))
    graphique.valueAxis.labels.fontName = "Helvetica"
    graphique.valueAxis.labels.fontSize = 7
    graphique.categoryAxis.categoryNames = [_court(ligne["cle"]["nom"]) for ligne in lignes]
    graphique.categoryAxis.labels.fontName = "Helvetica"
    graphique.categoryAxis.labels.fontSize = 6
    graphique.categoryAxis.labels.angle = 45
    graphique.categoryAxis.labels.boxAnchor = "ne"
    dessin.add(graphique)
    return dessin


def _couleur(taux: float, maximum: float):
    """White (0 %) to dark blue (the grid's highest value)."""
    t = max(0.0, min(1.0, taux / maximum))
    return colors.Color(1 - 0.8 * t, 1 - 0.6 * t, 1 - 0.3 * t)


def carte_chaleur(horaire: dict) -> Drawing:
    """Weekdays x hours, each cell shaded by its occupancy."""
    cellule, marge_gauche, marge_haut = 0.65 * cm, 1 * cm, 1.2 * cm
    largeur = marge_gauche + 24 * cellule + 10
    hauteur = marge_haut + 7 * cellule + 30
    maximum = max(max(ligne) for ligne in horaire["taux"]) or 1.0
    dessin = Drawing(largeur, hauteur)
    dessin.add(
        String(
            0,
            hauteur - 12,
            f"Occupation par jour de la semaine et par heure (%) — teinte la plus foncée : "
            f"{maximum:.0f} %",
            fontName="Helvetica-Bold",
            fontSize=10,
        )
    )
    haut = hauteur - marge_haut
    for h in horaire["heures"]:
        dessin.add(
            String(
                marge_gauche + h * cellule + cellule / 2,
                haut + 3,
                f"{h}h",
                fontName="Helvetica",
                fontSize=6,
                textAnchor="middle",
            )
        )
    for j, nom in enumerate(horaire["jours"]):
        y = haut - (j + 1) * cellule
        dessin.add(String(0, y + cellule / 3, nom, fontName="Helvetica", fontSize=7))
        for h, taux in enumerate(horaire["taux"][j]):
            x = marge_gauche + h * cellule
            dessin.add(
                Rect(
                    x,
                    y,
                    cellule,
                    cellule,
                    fillColor=_couleur(taux, maximum),
                    strokeColor=colors.lightgrey,
                    strokeWidth=0.25,
                )
            )
            if taux >= 1:
                dessin.add(
                    String(
                        x + cellule / 2,
                        y + cellule / 3,
                        f"{taux:.0f}",
                        fontName="Helvetica",
                        fontSize=5,
                        textAnchor="middle",
                        fillColor=colors.white if taux > maximum * 0.55 else colors.black,
                    )
                )
    return dessin


def _tableau_classement(titre, lignes, styles):
    donnees = [["Ressource", "Réservations", "Heures réservées", "Occupation (%)"]]
    donnees += [
        [
            _court(ligne["cle"]["nom"], 45),
            _nombre(ligne["reservations"]),
            _nombre(ligne["heures_reservees"]),
            _nombre(ligne["taux_occupation"]),
        ]
        for ligne in lignes
    ]
    if len(donnees) == 1:
        donnees.append(["Aucune ressource.", "", "", ""])
    tableau = Table(donnees, colWidths=[8.5 * cm, 2.5 * cm, 3 * cm, 3 * cm], repeatRows=1)
    tableau.setStyle(STYLE_TABLEAU)
    return [Paragraph(titre, styles["Heading3"]), tableau, Spacer(1, 0.4 * cm)]


def classements(lignes_ressources):
    """The 10 most and the 10 least used ressources (by occupancy, then booked hours)."""
    comptees = [ligne for ligne in lignes_ressources if ligne["taux_occupation"] is not None]

    def cle(ligne):
        return (ligne["taux_occupation"], ligne["heures_reservees"])

    plus = sorted(comptees, key=cle, reverse=True)[:NB_CLASSEMENT]
    moins = sorted(comptees, key=cle)[:NB_CLASSEMENT]
    return plus, moins


def rendre(
    *, periode: str, portee: str, total: dict, par_groupe, titre_groupe, horaire, ressources
):
    """The PDF's bytes."""
    tampon = BytesIO()
    document = SimpleDocTemplate(
        tampon,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title="Rapport d'utilisation — Resa",
        author="Resa",
    )
    styles = getSampleStyleSheet()
    elements = [
        Paragraph("Rapport d'utilisation des ressources", styles["Title"]),
        Paragraph(f"<b>Période :</b> {periode}", styles["Normal"]),
        Paragraph(f"<b>Périmètre :</b> {portee}", styles["Normal"]),
        Spacer(1, 0.4 * cm),
        Paragraph("Chiffres clés", styles["Heading2"]),
    ]
    chiffres = [["Indicateur", "Valeur"]] + [
        [libelle, _nombre(total[cle])] for cle, libelle in LIBELLES.items()
    ]
    tableau = Table(chiffres, colWidths=[10 * cm, 4 * cm])
    tableau.setStyle(STYLE_TABLEAU)
    elements += [tableau, Spacer(1, 0.5 * cm)]
    elements += [diagramme_barres(par_groupe, titre_groupe), Spacer(1, 0.4 * cm)]
    elements += [carte_chaleur(horaire), Spacer(1, 0.4 * cm)]
    plus, moins = classements(ressources)
    elements += _tableau_classement("Les 10 ressources les plus utilisées", plus, styles)
    elements += _tableau_classement("Les 10 ressources les moins utilisées", moins, styles)
    document.build(elements)
    return tampon.getvalue()
