"""Fixtures of the sites' tests."""

import pytest

from sites.tests.factories import DepartmentFactory, SiteFactory


@pytest.fixture
def site(db):
    """A site with one department (modules that need another site define their own)."""
    site = SiteFactory(nom="Siège Lyon")
    DepartmentFactory(site=site, nom="Achats")
    return site
