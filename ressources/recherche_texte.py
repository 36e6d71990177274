"""Full-text search of ressources (``q``, API.md C9): every word of the query must start a
word of the ressource's nom, description, caracteristiques, localisation_batiment or its
site's nom, ignoring case and accents.

One denormalised column, ``Ressource.texte_recherche``, holds those words normalised
(lower case, no accents, punctuation removed) as `` nom words | other words ``: the model
keeps it in sync on every save, and the site's ressources are refreshed when a site is
renamed (``sites`` signal, see ``actualiser_site``). The query is tokenised the same way, so
no raw user input ever reaches a query parser:

- PostgreSQL: ``to_tsvector('resa_unaccent', texte_recherche) @@ to_tsquery(...)`` with one
  ``'word':*`` prefix term per word, answered by a GIN index on that expression (migration
  0004 creates the ``simple``-based ``unaccent`` configuration and the index);
- SQLite: one ``LIKE '% word%'`` per word on the normalised column (a word starts after a
  space).

Relevance (``sort_by=pertinence``) is computed the same way on both databases: per word, 3
when it is a whole word of the nom, 2 when it starts one, 1 when it matches elsewhere.
"""

import re
import unicodedata

from django.db.models import FloatField, Func, Lookup, TextField, Value

LONGUEUR_MAX_Q = 200
CONFIGURATION_PG = "resa_unaccent"
SEPARATEUR_NOM = "|"

_MOT = re.compile(r"[^\W_]+")


def normaliser(texte: str) -> str:
    """Lower case, accents removed (NFKD without combining marks), compatibility forms
    folded (``ﬁ`` -> ``fi``, ``²`` -> ``2``)."""
    decompose = unicodedata.normalize("NFKD", texte or "")
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    return sans_accents.casefold()


def mots(texte: str) -> list[str]:
    """The normalised words of ``texte``: runs of letters and digits; everything else
    (quotes, ``*``, ``-``, ``:``, emojis, NUL) separates words."""
    return _MOT.findall(normaliser(texte))


def termes(q: str) -> list[str]:
    """The distinct words of a query, in order."""
    return list(dict.fromkeys(mots(q)))


def texte_recherche(*, nom, description, caracteristiques, batiment, site_nom) -> str:
    """The content of ``texte_recherche``: the nom's words, then the others'."""
    autres = [description, *(c for c in caracteristiques or [] if isinstance(c, str))]
    autres += [batiment, site_nom]
    return " ".join(
        ["", *mots(nom), SEPARATEUR_NOM, *(m for texte in autres for m in mots(texte)), ""]
    )


def texte_de(ressource) -> str:
    return texte_recherche(
        nom=ressource.nom,
        description=ressource.description,
        caracteristiques=ressource.caracteristiques,
        batiment=ressource.localisation_batiment,
        site_nom=ressource.site.nom,
    )


class TexteRechercheField(TextField):
    """The normalised words of a ressource, with the ``correspond`` lookup."""


@TexteRechercheField.register_lookup
class Correspond(Lookup):
    """``texte_recherche__correspond=["reunion", "proj"]``: every word starts a word."""

    lookup_name = "correspond"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        requete = " & ".join(f"'{terme}':*" for terme in self.rhs)
        return (
            f"to_tsvector('{CONFIGURATION_PG}'::regconfig, {lhs}) "
            f"@@ to_tsquery('{CONFIGURATION_PG}'::regconfig, %s)",
            (*lhs_params, requete),
        )

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        conditions = " AND ".join(f"{lhs} LIKE %s" for _ in self.rhs)
        params = []
        for terme in self.rhs:
            params += [*lhs_params, f"% {terme}%"]
        return f"({conditions})", tuple(params)


class Pertinence(Func):
    """Relevance of a ressource for the words of a query (see the module's docstring)."""

    output_field = FloatField()

    def __init__(self, expression, termes, **extra):
        self.termes = list(termes)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        colonne, colonne_params = compiler.compile(self.source_expressions[0])
        morceaux, params = [], []
        for terme in self.termes:
            morceaux.append(
                f"CASE WHEN {colonne} LIKE %s THEN 3 WHEN {colonne} LIKE %s THEN 2 ELSE 1 END"
            )
            params += [*colonne_params, f"% {terme} %{SEPARATEUR_NOM}%"]
            params += [*colonne_params, f"% {terme}%{SEPARATEUR_NOM}%"]
        return f"(0.0 + {' + '.join(morceaux) or '0'})", tuple(params)


def filtrer(queryset, q: str):
    """``queryset`` restricted to the ressources matching every word of ``q`` and annotated
    with ``pertinence``; a query without any word (only punctuation) matches everything."""
    mots_voulus = termes(q)
    if not mots_voulus:
        return avec_pertinence_nulle(queryset)
    return queryset.filter(texte_recherche__correspond=mots_voulus).annotate(
        pertinence=Pertinence("texte_recherche", mots_voulus)
    )


def avec_pertinence_nulle(queryset):
    """Every ressource equally relevant (``sort_by=pertinence`` without words)."""
    return queryset.annotate(pertinence=Value(0.0, output_field=FloatField()))
