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


@pytest.fixture
def start_draft(client, make_user, make_location):
    """``start_draft(checklist_key)``: an auditor signed in with a visit of that checklist in
    progress at VLN-01; returns the visit's uuid (its fill page is /visits/<uuid>/fill)."""
    import uuid

    from audit.extensions import db
    from audit.services.visits import start_visit

    def start(checklist_key: str) -> str:
        auditor = make_user("auditor")
        client_uuid = str(uuid.uuid4())
        start_visit(auditor, client_uuid, location=make_location("VLN-01"), checklist_key=checklist_key)
        db.session.commit()
        login(client, auditor.email)
        return client_uuid
    return start
