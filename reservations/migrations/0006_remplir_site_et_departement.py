"""Existing reservations: the site of their ressource and the current department of their
beneficiary, the best values known for the facts frozen at booking time from now on."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def remplir(apps, schema_editor):
    Reservation = apps.get_model("reservations", "Reservation")
    Ressource = apps.get_model("ressources", "Ressource")
    User = apps.get_model("accounts", "User")
    Reservation.objects.filter(site__isnull=True).update(
        site=Subquery(Ressource.objects.filter(pk=OuterRef("ressource_id")).values("site_id")[:1])
    )
    Reservation.objects.filter(department__isnull=True).update(
        department=Subquery(
            User.objects.filter(pk=OuterRef("user_id")).values("department_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0005_journal_faits_figes"),
        ("ressources", "0002_libelles_francais"),
        ("accounts", "0003_libelles_francais"),
    ]

    operations = [migrations.RunPython(remplir, migrations.RunPython.noop, elidable=True)]
