"""A ressource's detail statistics (total, average duration...) over its whole history read
from one index alone (``occupation.statistiques_ressource``): no table page per reservation,
so their cost stays small as the history grows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0014_index_statistiques"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reservation",
            index=models.Index(
                fields=["ressource", "debut", "fin", "statut"],
                name="reservation_ressource_detail",
            ),
        ),
    ]
