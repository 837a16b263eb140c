"""A number outside its question's range (the shipped phone checklist takes 0–300 seconds until a
person answers) is refused wherever it is typed — the fill page, its autosave, the JSON API and
the CSV import of past visits — with the range in the message; a checklist file with a broken
range is refused on the upload page by line and field."""
from __future__ import annotations

import io
import re
import uuid
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Answer, Visit
from tests.conftest import CHECKLIST_DIR, csrf_token, login

PHONE = (CHECKLIST_DIR / "phone-enquiry.yaml").read_text(encoding="utf-8")
ITEM = "answer_seconds"
REFUSED = "answer a number from 0 to 300, not"


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def good_answers(definition) -> dict[str, object]:
    """Every question of the phone checklist answered well (it has no show_if)."""
    answers: dict[str, object] = {}
    for item in definition.items:
        if item.type in ("yes_no", "yes_no_na"):
            answers[item.id] = "yes"
        elif item.type == "scale":
            answers[item.id] = item.max
        elif item.type == "number":
            answers[item.id] = 20
    return answers


def stored_answer(client_uuid: str) -> str | None:
    db.session.commit()  # a fresh read
    return db.session.scalar(select(Answer.value).join(Visit).where(Visit.uuid == client_uuid, Answer.item_id == ITEM))


@pytest.fixture
def phone(checklists):
    definition = checklists["phone-enquiry"].parsed
    assert (definition.item(ITEM).min, definition.item(ITEM).max) == (None, 300)
    return definition


def test_the_e_mail_checklist_s_reply_hours_stop_where_its_guidance_says_to_stop(checklists):
    """"If no reply arrives within 5 days, enter 120": a 500 would be a slip of the finger."""
    item = checklists["email-enquiry"].parsed.item("reply_hours")
    assert (item.min, item.max) == (None, 120)


@pytest.fixture
def draft(phone, start_draft):
    """An auditor signed in with a phone visit in progress: its fill page's uuid."""
    return start_draft("phone-enquiry")


def test_the_fill_page_shows_the_range_and_refuses_500_keeping_what_was_typed(client, draft):
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    field = re.search(rf'<input[^>]*name="answer-{ITEM}"[^>]*>', page).group(0)
    assert f'aria-describedby="range-{ITEM}"' in field and 'data-max="300' in field
    assert re.search(rf'id="range-{ITEM}">0–300</span>', page)

    refused = client.post(f"/visits/{draft}/fill", data={
        "csrf_token": csrf_token(page), "action": "save", f"answer-{ITEM}": "500",
        f"comment-{ITEM}": "Nobody picked up for ages"})
    html = unescape(refused.get_data(as_text=True))
    field = re.search(rf'<input[^>]*name="answer-{ITEM}"[^>]*>', html).group(0)
    assert 'value="500"' in field  # corrected, not retyped
    message = re.search(rf'data-error-for="{ITEM}"[^>]*>([^<]*)<', html).group(1)
    assert "answer a number from 0 to 300" in message.lower(), message
    assert "Nobody picked up for ages" in html
    assert stored_answer(draft) is None

    kept = client.post(f"/visits/{draft}/fill", data={"csrf_token": csrf_token(page), "action": "save",
                                                      f"answer-{ITEM}": "300"})
    assert kept.status_code == 200 and stored_answer(draft) == "300"


def test_submitting_with_500_is_refused_and_nothing_is_submitted(client, draft, phone):
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    fields = {f"answer-{key}": str(value) for key, value in good_answers(phone).items()}
    response = client.post(f"/visits/{draft}/fill", data={**fields, "csrf_token": csrf_token(page),
                                                          "action": "submit", "visited_at": "2026-03-02T14:30",
                                                          f"answer-{ITEM}": "500"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "answer a number from 0 to 300" in html.lower()
    assert db.session.scalar(select(Visit.status).where(Visit.uuid == draft)) == "draft"


def test_the_autosave_names_the_range_and_keeps_the_other_answers(client, draft):
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    response = client.post(f"/visits/{draft}/draft", headers={"X-CSRFToken": csrf_token(page)},
                           json={"answers": {ITEM: "500", "menu_clear": "yes"}})
    assert response.status_code == 200
    assert list(response.json["errors"]) == [ITEM]
    assert "answer a number from 0 to 300" in response.json["errors"][ITEM].lower()
    db.session.commit()
    stored = dict(db.session.execute(select(Answer.item_id, Answer.value).join(Visit).where(Visit.uuid == draft)).all())
    assert stored == {"menu_clear": "yes"}


def test_the_api_refuses_500_naming_the_question_and_stores_nothing(client, phone, make_user, make_location, runner):
    make_location("RIX-01", "Rīga Alfa", region="Rīga")
    auditor = make_user("auditor")
    token = runner.invoke(args=["create-token", auditor.email]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}

    def body(seconds):
        answers = {**good_answers(phone), ITEM: seconds}
        return {"client_uuid": str(uuid.uuid4()), "location": "RIX-01", "checklist": "phone-enquiry",
                "visited_at": "2026-03-02T14:30:00+02:00", "scenario": "Ask about opening hours",
                "answers": [{"item": key, "value": value} for key, value in answers.items()]}

    refused = client.post("/api/v1/visits", json=body(500), headers=headers)
    assert refused.status_code == 400, refused.json
    assert refused.json["details"] == {ITEM: "answer a number from 0 to 300, not 500"}
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    taken = client.post("/api/v1/visits", json=body(300), headers=headers)
    assert taken.status_code == 201, taken.json
    whole = client.get("/api/v1/checklists/phone-enquiry", headers=headers).json
    item = next(i for s in whole["definition"]["sections"] for i in s["items"] if i["id"] == ITEM)
    assert item["max"] == 300 and "min" not in item  # a client building its own form sees the range


def test_the_csv_import_names_the_line_and_imports_nothing(runner, phone, tmp_path):
    header = "external_id,location_code,location_name,region,auditor,visited_at,checklist,item,answer,comment"
    rows = [f"P-1,VLN-01,Vilnius Akropolis,Vilnius,ona@example.lt,2025-03-14T10:30,phone-enquiry,{key},{value},"
            for key, value in {**good_answers(phone), ITEM: "500"}.items()]
    path = tmp_path / "visits.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-visits", str(path)])
    line = 2 + list(good_answers(phone)).index(ITEM)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"line {line}: answer: {REFUSED} '500'",
                                          f"{path}: 1 problem(s); nothing was imported"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0

    path.write_text(path.read_text(encoding="utf-8").replace(f"{ITEM},500,", f"{ITEM},300,"), encoding="utf-8")
    assert runner.invoke(args=["import-visits", str(path)]).exit_code == 0
    assert db.session.scalar(select(Answer.value).where(Answer.item_id == ITEM)) == "300"


@pytest.fixture
def admin(client, make_user, checklists):
    login(client, make_user("admin").email)


def check_file(client, content: str):
    page = client.get("/checklist-files").get_data(as_text=True)
    return client.post("/checklist-files", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(content.encode("utf-8")), "phone-enquiry.yaml")})


def test_the_upload_page_names_the_line_and_field_of_a_bad_max(client, admin):
    broken = PHONE.replace("max: 300  #", "max: 3OO  #", 1)
    response = check_file(client, broken)
    page = text_of(response)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "max: 3OO" in text)
    assert response.status_code == 400 and "Nothing was stored" in page
    assert re.search(rf"line {line} section 1 › question 1 › max must be a number, not '3OO'", page), page

    below_bands = check_file(client, PHONE.replace("max: 300  #", "max: 60  #", 1))
    assert f"line {line} section 1 › question 1 › max" in text_of(below_bands)
    assert "the last band could never be answered" in text_of(below_bands)


def test_a_new_range_is_previewed_as_a_change_that_does_not_move_scores(client, admin):
    preview = text_of(check_file(client, PHONE.replace("max: 300  #", "max: 240  #", 1)))
    assert "accepted answers 0–300 → 0–240" in preview
    assert "No change to scoring" in preview
    opened = text_of(check_file(client, PHONE.replace("        max: 300  #", "        #", 1)))
    assert "accepted answers 0–300 → ≥ 0" in opened


def test_the_checklist_page_shows_the_range(client, admin):
    page = text_of(client.get("/checklists/phone-enquiry"))
    question = r"How many seconds did it take until a person answered\? "
    assert re.search(question + r"Number · [^·]+ · [^·]+ · 0–300", page), page


def test_a_refused_answer_is_named_before_its_refused_comment(client, draft):
    """Both refused in one save: the answer's message, not the comment's, which used to hide it."""
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    response = client.post(f"/visits/{draft}/draft", headers={"X-CSRFToken": csrf_token(page)},
                           json={"answers": {ITEM: "500"}, "comments": {ITEM: "x" * 5001, "menu_clear": "y" * 5001}})
    assert response.status_code == 200
    assert "answer a number from 0 to 300" in response.json["errors"][ITEM].lower()
    assert response.json["errors"]["menu_clear"] == "The comment may have at most 5000 characters."
