"""Each reservation's duration and lead time in whole seconds, kept by the database
(generated, stored columns): statistics sum them over a year of bookings, which on SQLite
(datetimes stored as text) spent most of its time parsing two datetimes per row. On SQLite
adding them rebuilds the table; the counter's triggers (0012) are recreated after the
migration by ``selectors.reparer_compteur``."""

import reservations.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0012_index_liste"),
    ]

    operations = [
        migrations.AddField(
            model_name="reservation",
            name="delai_secondes",
            field=models.GeneratedField(
                db_persist=True,
                expression=reservations.expressions.SecondesEntre("date_creation", "debut"),
                output_field=models.BigIntegerField(),
                verbose_name="réservée à l'avance de (secondes)",
            ),
        ),
        migrations.AddField(
            model_name="reservation",
            name="duree_secondes",
            field=models.GeneratedField(
                db_persist=True,
                expression=reservations.expressions.SecondesEntre("debut", "fin"),
                output_field=models.BigIntegerField(),
                verbose_name="durée (secondes)",
            ),
        ),
    ]
