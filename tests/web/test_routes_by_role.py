"""Every route × every role, against one declared table of who may use what.

``ROUTES`` names, for each endpoint and HTTP method, the roles that get through (``OK``:
any 2xx or 3xx that is not a trip to the sign-in page, or the exact status written) – every
role not named must get **404**, as if the page or object did not exist. Anonymous visitors
are sent to the sign-in page, and API calls without a token get 401.

Routes with ids are tried on real objects made for each case (another auditor's visit,
another manager's branch …); a 404 answer must not contain any text of the hidden object.

A route that is not in the table fails :func:`test_every_route_is_in_the_table`: add it,
so that no route reaches production without someone deciding who may use it.
"""
from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from PIL import Image

from audit.extensions import db
from audit.models import Assignment, Dispute, Region
from tests.conftest import csrf_token, login

ROLES = ("admin", "reviewer", "auditor", "manager")
OK = "ok"  # got through: 2xx, or a 3xx that does not lead to the sign-in page
LOGIN = "login"  # 302 to /login?next=…
STORE_ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes"}


def only(*roles: str, **statuses: int) -> dict[str, object]:
    """``only("admin", auditor=403)``: admins get through, auditors get 403, the rest 404."""
    return {**{role: OK for role in roles}, **statuses}


EVERYONE = only(*ROLES)
HEAD_OFFICE = only("admin", "reviewer")


@dataclass(frozen=True)
class Target:
    """The URL values of a real object, and texts of it that must not leak to who may not see it."""

    values: dict = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    query: dict = field(default_factory=dict)  # sent as the query string


@dataclass(frozen=True)
class Case:
    expect: dict[str, object]
    target: Callable[[World], Target] | None = None
    anonymous: object = LOGIN
    token: bool = False  # API: the roles send a bearer token, not the session cookie
    json: bool = False  # POST an empty JSON object instead of a form
    signs_out: bool = False  # run in a session of its own (it ends the session)


def visit_of(owner: str, where: str, status: str) -> Callable[[World], Target]:
    return lambda world: world.visit(owner, where, status)


def photo_of(owner: str, where: str, status: str) -> Callable[[World], Target]:
    return lambda world: world.evidence(owner, where, status)


# Whose objects: "auditor"/"manager" are the signed-in test users of those roles; "other_*"
# are a second auditor and a second manager. "own" is the manager's branch (the auditor's
# visits are there too), "other" belongs to the other manager.
OWN_APPROVED, OWN_SUBMITTED, OWN_DRAFT = (visit_of("auditor", "own", s) for s in ("approved", "submitted", "draft"))
OTHER_APPROVED, OTHER_SUBMITTED, OTHER_DRAFT = (
    visit_of("other_auditor", "other", s) for s in ("approved", "submitted", "draft"))
OWN_DRAFT_PHOTO, OWN_APPROVED_PHOTO = (photo_of("auditor", "own", s) for s in ("draft", "approved"))
OTHER_APPROVED_PHOTO = photo_of("other_auditor", "other", "approved")

VISIT_PAGE_CASES = [
    Case(EVERYONE, OWN_APPROVED),
    Case(only("admin", "reviewer", "auditor"), OWN_SUBMITTED),  # managers see approved visits only
    Case(HEAD_OFFICE, OTHER_APPROVED),  # another auditor's visit, another manager's branch
]
REVIEW_CASES = [
    Case(only("admin", "reviewer", auditor=403), OWN_SUBMITTED),  # the auditor sees it but may not review
    Case(HEAD_OFFICE, OTHER_SUBMITTED),
]

ROUTES: dict[str, dict[str, list[Case]]] = {
    # --- sign-in, language, home -------------------------------------------------------------
    "auth.login": {"GET": [Case(EVERYONE, anonymous=OK)], "POST": [Case(EVERYONE, anonymous=OK)]},
    "auth.logout": {"POST": [Case(dict.fromkeys(ROLES, LOGIN), signs_out=True)]},  # signed out: to sign-in
    # "Forgot your password?" needs no sign-in; signed-in users are sent home (a 3xx: OK).
    "forgot_password.ask_for_link": {"GET": [Case(EVERYONE, anonymous=OK)], "POST": [Case(EVERYONE, anonymous=OK)]},
    "i18n.set_language": {"POST": [Case(EVERYONE, anonymous=OK)]},
    "home.index": {"GET": [Case(EVERYONE)]},
    "account.password": {"GET": [Case(EVERYONE)], "POST": [Case(EVERYONE)]},  # POST: the form again, with errors
    "account.mail": {"GET": [Case(EVERYONE)], "POST": [Case(EVERYONE)]},
    "account.signed_in_devices": {"GET": [Case(EVERYONE)]},
    "account.sign_out_other_devices": {"POST": [Case(EVERYONE)]},
    # Only one's own sign-ins can be ended: another person's is 404 for everybody.
    "account.sign_out_device": {"POST": [Case({}, lambda w: w.sign_in_of("other_auditor"))]},
    # A set-password link needs no sign-in: whoever holds a valid one gets the form (POST without
    # passwords: the form again); an unknown one is 404 for everybody.
    "password_links.set_password": {
        "GET": [Case(EVERYONE, lambda w: w.password_link("other_auditor"), anonymous=OK),
                Case({}, lambda w: Target({"token": "no-such-link"}), anonymous=404)],
        "POST": [Case(EVERYONE, lambda w: w.password_link("other_auditor"), anonymous=OK),
                 Case({}, lambda w: Target({"token": "no-such-link"}), anonymous=404)]},
    "home.checklists": {"GET": [Case(only("admin", "reviewer", "auditor"))]},
    "home.checklist": {"GET": [Case(only("admin", "reviewer", "auditor"), lambda w: Target({"key": "store-visit"}))]},
    "home.retire": {"POST": [Case(only("admin"), lambda w: Target({"key": "phone-enquiry"}))]},
    "home.reinstate": {"POST": [Case(only("admin"), lambda w: w.retired_checklist("email-enquiry"))]},
    "rounds.round_form": {"GET": [Case(HEAD_OFFICE)]},
    "rounds.preview": {"POST": [Case(only(admin=400, reviewer=400))]},  # 400: the form sent empty
    "rounds.confirm_round": {"POST": [Case(HEAD_OFFICE)]},  # nothing sent: back to the form
    "checklist_files.load_form": {"GET": [Case(only("admin"))]},
    "checklist_files.format_guide": {"GET": [Case(only("admin"))]},
    "checklist_files.download": {"GET": [Case(only("admin", "reviewer", "auditor"),
                                              lambda w: Target({"key": "store-visit"}))]},
    "checklist_files.check_file": {"POST": [Case(only(admin=400))]},  # 400: no file sent
    "checklist_files.store_file": {"POST": [Case(only("admin"))]},  # no text sent: back to the form
    "home.visit": {"GET": VISIT_PAGE_CASES},
    # --- field workflow ------------------------------------------------------------------------
    "field.service_worker": {"GET": [Case(EVERYONE, anonymous=OK)]},
    "health.health": {"GET": [Case(EVERYONE, anonymous=OK)]},
    "field.start": {"POST": [Case(only("auditor"), lambda w: w.assignment("auditor"))]},
    # Head office may see a draft: the fill page sends them on to the read-only visit page.
    "field.fill": {"GET": [Case(only("auditor", "admin", "reviewer"), OWN_DRAFT),
                           Case(HEAD_OFFICE, OTHER_DRAFT)],
                   "POST": [Case(only("auditor", "admin", "reviewer"), OWN_DRAFT)]},
    "field.autosave": {"POST": [Case(only("auditor"), OWN_DRAFT, json=True), Case({}, OTHER_DRAFT, json=True)]},
    # Asked at sign-out which visits a tablet keeps work of are the user's: everyone may ask, and
    # hears only of their own (204 for another auditor's visit).
    "field.kept_visits": {"GET": [Case(EVERYONE, lambda w: Target(query={"uuid": OWN_DRAFT(w).values["client_uuid"]})),
                                  Case(EVERYONE, lambda w: Target(query={"uuid": OTHER_DRAFT(w).values["client_uuid"]}))]},
    # --- photo evidence (JSON; signed-out callers get 401 JSON, not a redirect) -----------------
    "evidence.upload": {"POST": [Case(only(auditor=400), OWN_DRAFT, anonymous=401),  # 400: no photo sent
                                 Case({}, OTHER_DRAFT, anonymous=401)]},
    "evidence.delete": {"POST": [Case(only("auditor"), OWN_DRAFT_PHOTO, anonymous=401)]},
    "evidence.photo": {"GET": [Case(only("auditor", "admin", "reviewer"), OWN_DRAFT_PHOTO),
                               Case(HEAD_OFFICE, OTHER_APPROVED_PHOTO)]},
    "evidence.thumb": {"GET": [Case(EVERYONE, OWN_APPROVED_PHOTO),
                               Case(HEAD_OFFICE, OTHER_APPROVED_PHOTO)]},
    # A manager's dispute photo: to whoever may see the visit (the other branch's: head office only).
    "evidence.dispute_photo": {"GET": [Case(EVERYONE, lambda w: w.dispute_photo("auditor", "own")),
                                       Case(HEAD_OFFICE, lambda w: w.dispute_photo("other_auditor", "other"))]},
    "evidence.dispute_thumb": {"GET": [Case(EVERYONE, lambda w: w.dispute_photo("auditor", "own")),
                                       Case(HEAD_OFFICE, lambda w: w.dispute_photo("other_auditor", "other"))]},
    # --- review and disputes ---------------------------------------------------------------------
    "review.approve": {"POST": REVIEW_CASES},
    "review.send_back": {"POST": REVIEW_CASES},
    "review.dispute": {"POST": [Case(only("manager", admin=403, reviewer=403, auditor=403), OWN_APPROVED),
                                Case(only(admin=403, reviewer=403), OTHER_APPROVED)]},
    "review.decide": {"POST": [Case(only("admin", "reviewer", auditor=403, manager=403),
                                    lambda w: w.dispute("auditor", "own")),
                               Case(HEAD_OFFICE, lambda w: w.dispute("other_auditor", "other"))]},
    # --- corrective actions: the branch's managers and head office, never auditors -------------------
    # (POST without fields: the visit page again, saying what to fill in.)
    "actions.plan": {"POST": [Case(only("admin", "reviewer", "manager"), OWN_APPROVED),
                              Case(HEAD_OFFICE, OTHER_APPROVED)]},
    "actions.done": {"POST": [Case(only("admin", "reviewer", "manager"), lambda w: w.action("own")),
                              Case(HEAD_OFFICE, lambda w: w.action("other"))]},
    "actions.index": {"GET": [Case(HEAD_OFFICE)]},
    # --- scheduling ------------------------------------------------------------------------------
    "assignments.index": {"GET": [Case(HEAD_OFFICE)], "POST": [Case(HEAD_OFFICE)]},
    "assignments.import_csv": {"POST": [Case(only(admin=400, reviewer=400))]},  # 400: no file sent
    "assignments.cancel": {"POST": [Case(HEAD_OFFICE, lambda w: w.assignment("other_auditor"))]},
    # --- admin screens -----------------------------------------------------------------------------
    "admin.index": {"GET": [Case(only("admin"))]},
    "admin.users": {"GET": [Case(only("admin"))]},
    "admin.user_new": {"GET": [Case(only("admin"))], "POST": [Case(only("admin"))]},
    "admin.user_edit": {"GET": [Case(only("admin"), lambda w: w.user("other_manager"))],
                        "POST": [Case(only("admin"), lambda w: w.user("other_manager"))]},
    "admin.user_deactivate": {"POST": [Case(only("admin"), lambda w: w.user("other_auditor"))]},
    "admin.user_reactivate": {"POST": [Case(only("admin"), lambda w: w.user("other_auditor"))]},
    "admin.user_erase": {"POST": [Case(only("admin"), lambda w: w.departed_user())]},
    "admin.user_password_link": {"POST": [Case(only("admin"), lambda w: w.user("other_manager"))]},
    "admin.users_import": {"POST": [Case(only(admin=400))]},  # 400: no file sent
    "admin.locations": {"GET": [Case(only("admin"))]},
    "admin.locations_import": {"POST": [Case(only(admin=400))]},  # 400: no file sent
    "admin.locations_export": {"GET": [Case(only("admin"))]},
    "admin.location_new": {"GET": [Case(only("admin"))], "POST": [Case(only("admin"))]},
    "admin.location_edit": {"GET": [Case(only("admin"), lambda w: w.location("other"))],
                            "POST": [Case(only("admin"), lambda w: w.location("other"))]},
    "admin.regions": {"GET": [Case(only("admin"))], "POST": [Case(only("admin"))]},
    "admin.region_edit": {"GET": [Case(only("admin"), lambda w: w.region())],
                          "POST": [Case(only("admin"), lambda w: w.region())]},
    "admin.region_delete": {"POST": [Case(only("admin"), lambda w: w.region())]},
    "admin.mail": {"GET": [Case(only("admin"))]},
    "admin.mail_test": {"POST": [Case(only("admin"))]},
    "admin.mail_now": {"POST": [Case(only("admin"))]},
    "admin.mail_again": {"POST": [Case(only("admin"), lambda w: w.failed_mail())]},
    "admin.activity_log": {"GET": [Case(only("admin"))]},
    "admin.activity_csv": {"GET": [Case(only("admin"))]},
    # --- head office dashboard and location pages ------------------------------------------------
    "review.queue": {"GET": [Case(HEAD_OFFICE)]},
    "office.dashboard": {"GET": [Case(HEAD_OFFICE, lambda w: w.chain_report())]},
    "question_page.show": {"GET": [Case(HEAD_OFFICE, lambda w: w.question())]},
    "auditor_page.show": {"GET": [Case(HEAD_OFFICE, lambda w: w.auditor_page())]},
    "location_page.show": {"GET": [Case(only("admin", "reviewer", "manager"), lambda w: w.location_report("own")),
                                   Case(HEAD_OFFICE, lambda w: w.location_report("other"))]},
    # --- PDF reports -------------------------------------------------------------------------------
    "reports.visit_pdf": {"GET": VISIT_PAGE_CASES},
    "reports.location_pdf": {"GET": [Case(only("admin", "reviewer", "manager"), lambda w: w.location_report("own")),
                                     Case(HEAD_OFFICE, lambda w: w.location_report("other"))]},
    "reports.chain_pdf": {"GET": [Case(HEAD_OFFICE, lambda w: w.chain_report())]},
    "reports.chain_xlsx": {"GET": [Case(HEAD_OFFICE, lambda w: w.chain_report())]},
    "reports.visits_csv": {"GET": [Case(HEAD_OFFICE, lambda w: w.chain_report())]},
    # --- JSON API: bearer tokens only; 403 for what a role may never do, 404 for hidden objects ----
    "api.locations": {"GET": [Case(EVERYONE, token=True, anonymous=401)]},
    "api.list_visits": {"GET": [Case(EVERYONE, token=True, anonymous=401)]},  # each sees what the UI shows them
    "api.checklists": {"GET": [Case(only("admin", "reviewer", "auditor", manager=403), token=True, anonymous=401)]},
    "api.checklist": {"GET": [Case(only("admin", "reviewer", "auditor", manager=403), lambda w: Target({"key": "store-visit"}),
                                   token=True, anonymous=401)]},
    "api.stats": {"GET": [Case(only("admin", "reviewer", auditor=403, manager=403),
                               lambda w: Target(w.chain_report().values, query={"checklist": "store-visit"}),
                               token=True, anonymous=401)]},
    "api.list_actions": {"GET": [Case(only("admin", "reviewer", "manager", auditor=403), token=True, anonymous=401)]},
    "api.get_visit": {"GET": [Case(c.expect, c.target, token=True, anonymous=401) for c in VISIT_PAGE_CASES]},
    "api.create_visit": {"POST": [Case(only(admin=400, reviewer=400, auditor=400, manager=403), token=True,
                                       json=True, anonymous=401)]},  # 400: the empty body is refused
}


class World:
    """The people of every role and the objects the cases point at, made as real rows."""

    def __init__(self, make_user, make_location, make_visit, checklists, app):
        self._make_visit, self._checklists, self._app = make_visit, checklists, app
        self._counter = itertools.count(1)
        self.locations = {
            "own": make_location("OWN-01", "Alpha Own Branch", region="North Region"),
            "other": make_location("OTH-01", "Omega Hidden Branch", region="South Region", city="Hiddenville"),
        }
        self.users = {
            "admin": make_user("admin", name="Ada Admin"),
            "reviewer": make_user("reviewer", name="Rex Reviewer"),
            "auditor": make_user("auditor", name="Ina Auditor"),
            "manager": make_user("manager", name="Mara Manager", locations=["OWN-01"]),
            "other_auditor": make_user("auditor", name="Oskar Otherauditor", email="oskar.secret@example.com"),
            "other_manager": make_user("manager", name="Olga Othermanager", email="olga.secret@example.com",
                                       locations=["OTH-01"]),
        }

    def visit(self, owner: str, where: str, status: str) -> Target:
        marker = f"Scenario-{status}-{next(self._counter)}-do-not-leak"
        visit = self._make_visit(self.locations[where], self.users[owner], STORE_ANSWERS, status=status)
        visit.scenario = marker
        visit.staff_description = f"Staff of {marker}"
        db.session.commit()
        secrets = (marker,) + ((self.locations[where].name, self.users[owner].name) if where == "other" else ())
        return Target({"visit_id": visit.id, "client_uuid": visit.uuid, "visit_uuid": visit.uuid}, secrets)

    def evidence(self, owner: str, where: str, status: str) -> Target:
        from audit.models import Visit
        from audit.services.evidence import store_photo

        target = self.visit(owner, where, "draft")
        visit = db.session.get(Visit, target.values["visit_id"])
        picture = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, "PNG")
        picture.seek(0)
        evidence = store_photo(visit, None, picture, visit.auditor, self._app.config["UPLOAD_DIR"])
        visit.status = status
        db.session.commit()
        return Target({"evidence_id": evidence.id}, target.secrets)

    def assignment(self, owner: str) -> Target:
        where = "own" if owner == "auditor" else "other"
        assignment = Assignment(
            location=self.locations[where], checklist=self._checklists["store-visit"].checklist,
            auditor=self.users[owner], scenario=f"Assignment-{next(self._counter)}-do-not-leak",
            due_from=date(2026, 10, 1), due_until=date(2026, 10, 31),
        )
        db.session.add(assignment)
        db.session.commit()
        return Target({"assignment_id": assignment.id}, (assignment.scenario,))

    def dispute(self, owner: str, where: str) -> Target:
        target = self.visit(owner, where, "approved")
        manager = self.users["manager" if where == "own" else "other_manager"]
        dispute = Dispute(visit_id=target.values["visit_id"], item_id="greeted_promptly", raised_by_id=manager.id,
                          reason=f"Reason-{next(self._counter)}-do-not-leak", old_value="yes")
        db.session.add(dispute)
        db.session.commit()
        return Target({"dispute_id": dispute.id}, target.secrets + (dispute.reason,))

    def dispute_photo(self, owner: str, where: str) -> Target:
        """A photo the branch's manager sent with a dispute of the visit."""
        from audit.models import Visit
        from audit.services.dispute_photos import attach_photo
        from audit.services.evidence import read_photo

        target = self.dispute(owner, where)
        dispute = db.session.get(Dispute, target.values["dispute_id"])
        picture = io.BytesIO()
        Image.new("RGB", (64, 48), (30, 30, 200)).save(picture, "PNG")
        picture.seek(0)
        photo = attach_photo(dispute, read_photo(picture), db.session.get(Visit, dispute.visit_id).auditor,
                             self._app.config["UPLOAD_DIR"])
        db.session.commit()
        return Target({"photo_id": photo.id}, target.secrets)

    def action(self, where: str) -> Target:
        """An open corrective action on an approved visit of the branch (the own one: the auditor's visit)."""
        from audit.models import CorrectiveAction

        target = self.visit("auditor" if where == "own" else "other_auditor", where, "approved")
        manager = self.users["manager" if where == "own" else "other_manager"]
        action = CorrectiveAction(visit_id=target.values["visit_id"], location_id=self.locations[where].id,
                                  text=f"Action-{next(self._counter)}-do-not-leak", due_on=date(2030, 1, 1),
                                  created_by_id=manager.id)
        db.session.add(action)
        db.session.commit()
        return Target({"action_id": action.id}, target.secrets + (action.text,))

    def retired_checklist(self, key: str) -> Target:
        from audit.models import utcnow

        self._checklists[key].checklist.retired_at = utcnow()
        db.session.commit()
        return Target({"key": key})

    def user(self, key: str) -> Target:
        user = self.users[key]
        return Target({"user_id": user.id}, (user.email, user.name))

    def departed_user(self) -> Target:
        """A deactivated account of its own for each case (erasing it changes it for good)."""
        from audit.models import User

        user = User(email=f"departed-{next(self._counter)}@example.com", name="Departed Do-Not-Leak", role="auditor",
                    active=False)
        db.session.add(user)
        db.session.commit()
        return Target({"user_id": user.id}, (user.email, user.name))

    def location(self, key: str) -> Target:
        location = self.locations[key]
        return Target({"location_id": location.id}, (location.name, location.city or location.name))

    def location_report(self, key: str) -> Target:
        """A branch with approved visits to report on."""
        owner = "auditor" if key == "own" else "other_auditor"
        visits = [self.visit(owner, key, "approved") for _ in range(2)]
        location = self.locations[key]
        secrets = (location.name,) + (visits[0].secrets if key == "other" else ())
        return Target({"code": location.code}, secrets)

    def chain_report(self) -> Target:
        for key in ("own", "other"):
            self.location_report(key)
        return Target()

    def question(self) -> Target:
        """A question answered in approved visits of both branches (the page names the branches)."""
        self.chain_report()
        return Target({"item_id": "greeted_promptly"}, (self.locations["other"].name,),
                      query={"checklist": "store-visit"})

    def auditor_page(self) -> Target:
        """An auditor with approved visits (the page names them and the branches they visited)."""
        self.chain_report()
        auditor = self.users["other_auditor"]
        return Target({"user_id": auditor.id}, (auditor.name, self.locations["other"].name),
                      query={"checklist": "store-visit"})

    def region(self) -> Target:
        region = Region(name=f"Region-{next(self._counter)}-do-not-leak")
        db.session.add(region)
        db.session.commit()
        return Target({"region_id": region.id}, (region.name,))

    def failed_mail(self) -> Target:
        from audit.models import OutgoingMail, utcnow

        mail = OutgoingMail(kind="test", to_address="nobody@example.com", to_name="Nobody",
                            subject=f"Subject-{next(self._counter)}-do-not-leak", body="-", failed_at=utcnow())
        db.session.add(mail)
        db.session.commit()
        return Target({"mail_id": mail.id}, (mail.subject,))

    def sign_in_of(self, key: str) -> Target:
        """A sign-in of another user (on a tablet of theirs)."""
        from audit.models import SignIn
        from audit.services import sign_ins

        sign_ins.start(self.users[key], device="Chrome · Android")
        db.session.commit()
        row = db.session.scalars(db.select(SignIn).where(SignIn.user_id == self.users[key].id)
                                 .order_by(SignIn.id.desc())).first()
        return Target({"sign_in_id": row.id}, ("Android",))

    def password_link(self, key: str) -> Target:
        """A fresh set-password link of the user (the 404 case must not show whose it is)."""
        from audit.services.password_links import make_link

        link = make_link(self.users[key], self.users["admin"])
        db.session.commit()
        return Target({"token": link.token}, ())


def declared_methods(rule) -> set[str]:
    return set(rule.methods) - {"HEAD", "OPTIONS"}


def app_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)


def test_every_route_is_in_the_table(app):
    problems = []
    endpoints = set()
    for rule in app_rules(app):
        endpoints.add(rule.endpoint)
        declared = ROUTES.get(rule.endpoint)
        if declared is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) is not in the table")
        elif set(declared) != declared_methods(rule):
            problems.append(f"{rule.endpoint} ({rule.rule}) answers {sorted(declared_methods(rule))} "
                            f"but the table declares {sorted(declared)}")
    for endpoint in sorted(set(ROUTES) - endpoints):
        problems.append(f"{endpoint} is in the table but no such route exists (renamed or removed?)")
    assert not problems, (
        "Every route needs a declared access expectation in ROUTES (tests/web/test_routes_by_role.py): "
        "which roles may use it (all others must get 404), what anonymous visitors get, and for routes "
        "with ids a real object to try.\n  " + "\n  ".join(problems)
    )


def test_each_role_gets_exactly_the_routes_the_table_allows(app, make_user, make_location, make_visit, checklists):
    from audit.services.tokens import create_token

    world = World(make_user, make_location, make_visit, checklists, app)
    sessions = {role: signed_in(app, world.users[role].email) for role in ROLES}
    tokens = {role: create_token(world.users[role], "route test") for role in ROLES}
    db.session.commit()
    anonymous = app.test_client()
    anonymous_csrf = csrf_token(anonymous.get("/login").get_data(as_text=True))

    failures: list[str] = []
    checked = 0
    for rule in app_rules(app):
        for method in sorted(declared_methods(rule)):
            for case in ROUTES.get(rule.endpoint, {}).get(method, []):
                target = case.target(world) if case.target else Target()
                missing = rule.arguments - target.values.keys()
                if missing:
                    failures.append(f"{rule.endpoint}: the case's target gives no {sorted(missing)}")
                    continue
                url = rule.build({k: v for k, v in target.values.items() if k in rule.arguments})[1]
                url += f"?{urlencode(target.query)}" if target.query else ""
                where = f"{method} {url} ({rule.endpoint})"

                response = send(anonymous, method, url, case, anonymous_csrf)
                failures += judge(response, case.anonymous, f"{where} signed out", target, anonymous=True)
                if case.token:
                    # A session cookie alone never opens the API.
                    client, csrf = sessions["admin"]
                    failures += judge(send(client, method, url, case, csrf), 401, f"{where} by cookie", target)
                # Refused roles first: a role that gets through may change or delete the object.
                for role in sorted(ROLES, key=lambda r: case.expect.get(r, 404) == OK):
                    expected = case.expect.get(role, 404)
                    if case.token:
                        response = send(app.test_client(), method, url, case, None, token=tokens[role])
                    elif case.signs_out:
                        client, csrf = signed_in(app, world.users[role].email)
                        response = send(client, method, url, case, csrf)
                    else:
                        client, csrf = sessions[role]
                        response = send(client, method, url, case, csrf)
                    failures += judge(response, expected, f"{where} as {role}", target)
                    checked += 1
    assert checked > 100
    assert not failures, f"{len(failures)} of {checked} checks failed:\n  " + "\n  ".join(failures)


def test_wrong_methods_answer_405(app):
    client = app.test_client()
    readable = {rule.rule for rule in app_rules(app) if "GET" in declared_methods(rule)}  # POST /visits, GET /visits
    for rule in app_rules(app):
        if "GET" not in declared_methods(rule) and rule.rule not in readable:
            values = {name: 1 if "id" in name else "x" for name in rule.arguments}
            response = client.get(rule.build(values)[1])
            assert response.status_code == 405, rule.rule


def signed_in(app, email: str):
    client = app.test_client()
    home = login(client, email)
    assert home.request.path == "/", f"{email} could not sign in"
    return client, csrf_token(home.get_data(as_text=True))


class Crashed:
    """Stands in for the response of a request that raised: the failure names the exception."""

    def __init__(self, exc: Exception) -> None:
        self.status_code, self.headers, self.exc = 500, {}, exc

    def get_data(self, as_text: bool = False) -> str:
        return ""


def send(client, method: str, url: str, case: Case, csrf: str | None, token: str | None = None):
    try:
        return _send(client, method, url, case, csrf, token)
    except Exception as exc:  # keep checking the other routes; the failure list names it
        db.session.rollback()
        return Crashed(exc)


def _send(client, method: str, url: str, case: Case, csrf: str | None, token: str | None = None):
    headers = {"X-CSRFToken": csrf} if csrf else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if method == "GET":
        return client.get(url, headers=headers)
    if case.json:
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={"csrf_token": csrf} if csrf else {}, headers=headers)


def judge(response, expected, where: str, target: Target, anonymous: bool = False) -> list[str]:
    status = response.status_code
    to_login = status in (301, 302, 303) and response.headers.get("Location", "").startswith("/login")
    if expected == LOGIN:
        ok = to_login
    elif expected == OK:
        ok = status < 400 and not to_login
    else:
        ok = status == expected
    got = f"{type(response.exc).__name__}: {response.exc}" if isinstance(response, Crashed) else status
    problems = [] if ok else [f"{where}: expected {expected}, got {got}"
                                  + (f" → {response.headers['Location']}" if response.headers.get("Location") else "")]
    if status in (401, 404) or (anonymous and to_login):
        body = response.get_data(as_text=True)
        problems += [f"{where}: the refusal shows “{secret}”" for secret in target.secrets if secret in body]
    return problems
