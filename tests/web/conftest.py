"""Fixtures shared by the web tests. A module may define its own ``admin`` (several sign one in
under another address); pytest then uses the module's."""
from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.fixture
def admin(make_user):
    """An admin named as the admin screens' tests expect to read them."""
    return make_user("admin", name="Head Office")


@pytest.fixture
def admin_client(client, admin):
    """The test client, signed in as ``admin``."""
    login(client, admin.email)
    return client
