"""Benchmark of the tablet page (not part of the test suite).

    .venv/bin/python bench/field_page.py

Starts the app on a fresh SQLite database in a temporary folder, signs in as an auditor in
Debian's chromium (Playwright) at 820×1180, opens an assignment and measures:
- the page weight of the checklist page (HTML, CSS, JS as transferred, uncompressed);
- the time from a tap on an answer to the "Saved" indicator (median of 20 taps);
- the time from a tap to the same answer being stored in the database.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from audit import create_app  # noqa: E402
from audit.extensions import db  # noqa: E402
from audit.models import Answer, Location, Region  # noqa: E402
from audit.services.assignments import AssignmentRequest, create_assignments  # noqa: E402
from audit.services.checklists import load_checklist_files  # noqa: E402
from audit.services.users import create_user  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="field-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'audit.db'}",
                      "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        load_checklist_files([Path(__file__).resolve().parent.parent / "checklists"])
        db.session.add(Location(code="VLN-01", name="Vilnius Akropolis", region=Region(name="Vilnius")))
        auditor = create_user("auditor@example.com", "auditor", "Ona", "bench password")
        reviewer = create_user("reviewer@example.com", "reviewer", "Rūta", "bench password")
        create_assignments([AssignmentRequest("VLN-01", "store-visit", auditor.email, date.today(),
                                              date.today() + timedelta(days=1))], reviewer)
        db.session.commit()
        questions = [i for i in __import__("audit.services.checklists", fromlist=["x"]).current_version(
            "store-visit").parsed.items if i.type in ("yes_no", "yes_no_na") and i.show_if is None]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 820, "height": 1180}).new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=email]", "auditor@example.com")
        page.fill("input[name=password]", "bench password")
        page.click("button.primary")
        page.click("button:has-text('Start')")
        page.wait_for_url("**/fill")
        page.wait_for_load_state("networkidle")
        # decodedBodySize counts cached files too (the CSS was already loaded by the home page).
        entries = page.evaluate("""() => [...performance.getEntriesByType('navigation'),
                                         ...performance.getEntriesByType('resource')]
                                  .map(e => [e.name, e.decodedBodySize])""")
        weight = {url.rsplit("/", 1)[-1].split("?")[0] or url: n for url, n in entries if n}
        saved, stored = [], []
        uuid = page.url.split("/")[-2]
        for n, item in enumerate(questions[:20]):
            section = page.evaluate(f"document.getElementById('q-{item.id}').closest('.fill-section').dataset.section")
            page.click(f"[data-section-link='{section}']")
            value = "yes" if n % 2 else "no"
            started = time.perf_counter()
            page.click(f"#q-{item.id} label.seg:has(input[value='{value}'])")
            page.wait_for_function("document.getElementById('save-state').dataset.state === 'saved'")
            saved.append(time.perf_counter() - started)
            with app.app_context():
                from audit.models import Visit

                while db.session.scalar(select(Answer.value).join(Visit).where(
                        Visit.uuid == uuid, Answer.item_id == item.id)) != value:
                    db.session.rollback()
                stored.append(time.perf_counter() - started)
                db.session.rollback()
        browser.close()
    server.shutdown()
    print("checklist page weight (bytes, uncompressed):")
    for name, n in sorted(weight.items()):
        print(f"  {name:40} {n:8,}")
    print(f"  {'total':40} {sum(weight.values()):8,}")
    print(f"tap → 'Saved': median {1000 * statistics.median(saved):.0f} ms, max {1000 * max(saved):.0f} ms "
          f"({len(saved)} taps; includes the 300 ms debounce)")
    print(f"tap → stored in the database: median {1000 * statistics.median(stored):.0f} ms")


if __name__ == "__main__":
    main()
