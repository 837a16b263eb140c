"""Two checklists with the same title (a copy of the store checklist uploaded for next year):
the round planner, Schedule a visit and the dashboard's filter listed "In-store visit" twice,
and an admin could not tell which one they were scheduling."""
from __future__ import annotations

import re
from html import unescape

from audit.extensions import db
from audit.services.checklists import load_checklist_files
from tests.conftest import CHECKLIST_DIR, login


def test_a_shared_title_is_told_apart_by_the_checklist_id(client, checklists, make_user, make_location, tmp_path):
    make_location("VLN-01")
    copy = (CHECKLIST_DIR / "store-visit.yaml").read_text(encoding="utf-8").replace(
        "id: store-visit\n", "id: store-visit-2027\n", 1)
    (tmp_path / "store-visit-2027.yaml").write_text(copy, encoding="utf-8")
    _outcomes, errors = load_checklist_files([tmp_path])
    assert not errors
    db.session.commit()
    login(client, make_user("admin").email)
    for url in ("/assignments", "/assignments/round", "/office"):
        page = unescape(client.get(url).get_data(as_text=True))
        select = re.search(r'<select[^>]*name="[a-z-]*checklist"[^>]*>(.*?)</select>', page, re.S).group(1)
        labels = [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select)]
        assert "In-store visit (store-visit)" in labels and "In-store visit (store-visit-2027)" in labels, (url, labels)
        assert "Phone enquiry" in labels and "In-store visit" not in labels, (url, labels)  # unique titles stay bare
