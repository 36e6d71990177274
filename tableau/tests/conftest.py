from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone


def local(jour: date, heure: int, minute: int = 0) -> datetime:
    """An aware datetime of the organisation's zone."""
    return timezone.make_aware(datetime.combine(jour, time(heure, minute)))


def lundi_courant() -> date:
    aujourdhui = timezone.localdate()
    return aujourdhui - timedelta(days=aujourdhui.weekday())


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client
