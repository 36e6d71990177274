import pytest

from accounts.models import AuthToken, Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_hash():
    user = UserFactory()
    cle = AuthToken.emettre(user)
    token = AuthToken.objects.get(user=user)
    assert token.cle_hash == AuthToken.hacher(cle)
    assert cle not in token.cle_hash


def test_deactivating_an_account_revokes_its_tokens():
    user = UserFactory()
    AuthToken.emettre(user)
    user.compte_actif = False
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()


def test_only_active_admins_are_staff():
    assert UserFactory(role=Role.ADMIN).is_staff
    assert not UserFactory(role=Role.MANAGER).is_staff
    assert not UserFactory(role=Role.ADMIN, compte_actif=False).is_staff
