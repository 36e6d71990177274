import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0006_remplir_site_et_departement"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reservation",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reservations",
                to="sites.site",
                verbose_name="site",
            ),
        ),
    ]
