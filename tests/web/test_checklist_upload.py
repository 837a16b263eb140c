"""An admin loads a checklist file on the checklists page: the file is checked, the page shows
what storing it would change, and only the confirmation stores it — with the same rules as
``audit load-checklists``, which in turn no longer stores an older file over a newer version."""
from __future__ import annotations

import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, Checklist, ChecklistVersion
from tests.conftest import CHECKLIST_DIR, csrf_token, login
from tests.web.test_csv_uploads import workbook

PHONE = (CHECKLIST_DIR / "phone-enquiry.yaml").read_text(encoding="utf-8")
# "Getting through" weighs 1.5 in the shipped file; a chain that cares more about it:
HEAVIER = PHONE.replace("      lv: Sazvanīšanās\n    weight: 1.5", "      lv: Sazvanīšanās\n    weight: 3", 1)
NEW_CHECKLIST = """\
id: salon-visit
title: {en: Salon visit, lt: Salono vizitas, lv: Salona apmeklējums, ru: Визит в салон}
channel: in_person
sections:
  - id: welcome
    title: {en: Welcome, lt: Pasitikimas}
    items:
      - id: greeted
        text: {en: Were you greeted within a minute?, lt: Ar pasisveikino per minutę?}
        type: yes_no
        principle: greeting
"""


@pytest.fixture
def admin(app, make_user, client, checklists):
    user = make_user("admin")
    login(client, user.email)
    return user


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def check(client, content: str | bytes, filename: str = "phone-enquiry.yaml"):
    page = client.get("/checklist-files").get_data(as_text=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/checklist-files", data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def confirm(client, preview):
    """Press the preview's store button: its form's hidden fields, as the browser sends them."""
    html = preview.get_data(as_text=True)
    form = re.search(r'<form method="post" action="/checklist-files/store".*?</form>', html, re.S)
    assert form, "the preview has no store button"
    fields = {name: unescape(value) for name, value in
              re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(0), re.S)}
    return client.post("/checklist-files/store", data=fields, follow_redirects=True)  # url-encoded, as the page


def versions(key: str = "phone-enquiry") -> list[int]:
    db.session.expire_all()
    return db.session.scalars(select(ChecklistVersion.number).join(Checklist).where(Checklist.key == key)
                              .order_by(ChecklistVersion.number)).all()


def test_an_admin_sees_what_a_new_version_changes_before_storing_it(client, admin):
    assert "Load a checklist file" in client.get("/checklists").get_data(as_text=True)
    preview = check(client, HEAVIER)
    page = text_of(preview)
    assert preview.status_code == 200
    assert "Storing the file makes version 2 of this checklist" in page
    assert "Changes from version 1" in page and "Section “Getting through”: weight 1.5 → 3" in page
    assert "These changes move scores" in page
    assert "Store as version 2" in page
    assert versions() == [1]  # checking stores nothing

    stored = confirm(client, preview)
    assert stored.request.path == "/checklists/phone-enquiry"
    assert "Version 2 of “Phone enquiry” stored: new visits use it from now on." in text_of(stored)
    assert versions() == [1, 2]
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "checklist.version_created")
                              .order_by(AuditLogEntry.id.desc()))
    assert entry.user_id == admin.id
    assert entry.details["number"] == 2 and entry.details["source"] == "phone-enquiry.yaml"

    again = text_of(check(client, HEAVIER))  # the same file once more
    assert "The file is the same as version 2, the newest: there is nothing to store." in again
    assert "Store as version" not in again


def test_a_new_checklist_is_added_and_its_untranslated_texts_are_listed(client, admin):
    preview = check(client, NEW_CHECKLIST, "salon.yml")
    page = text_of(preview)
    assert "Salon visit · salon-visit" in page and "1 section · 1 question" in page
    assert "A new checklist: storing the file adds it as version 1" in page
    # Latvian and Russian are missing for the section and the question; each named with its line
    assert "Latviešu: no text in 2 places, line 6 ( section 1 › title ), line 9 ( section 1 › question 1 › text )" in page
    assert "Русский: no text in 2 places" in page and "Lietuvių: no text" not in page
    stored = confirm(client, preview)
    assert "Version 1 of “Salon visit” stored" in text_of(stored)
    assert versions("salon-visit") == [1]
    assert "Salon visit" in client.get("/checklists").get_data(as_text=True)


def test_a_file_with_problems_names_each_line_and_field_and_stores_nothing(client, admin):
    broken = HEAVIER.replace("    weight: 3", "    weight: -3", 1).replace("channel: phone", "channel: fax", 1)
    response = check(client, broken)
    page = text_of(response)
    assert response.status_code == 400
    assert "Nothing was stored: phone-enquiry.yaml has 2 problems." in page
    line_of_weight = broken.splitlines().index("    weight: -3") + 1
    assert re.search(rf"line {line_of_weight} section 1 › weight [^.]*greater than 0", page)
    assert re.search(r"line 14 channel .*in_person", page)
    assert "Store as version" not in page and versions() == [1]

    yaml_slip = check(client, "id: x\ntitle:\n  en: Name: as on the badge\n")
    assert yaml_slip.status_code == 400 and "line 3" in text_of(yaml_slip)
    assert "put the whole text in quotes" in text_of(yaml_slip)


@pytest.mark.parametrize("content, message", [
    ("id: x\n".encode("utf-16"), "The file is not UTF-8 text (byte 0). Save it as UTF-8."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is not text: choose the checklist's .yaml file."),
    (workbook(), "The file is not text: choose the checklist's .yaml file."),  # an .xlsx renamed .yaml
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "The file is not text: choose the checklist's .yaml file."),
    (b"id: x\x00\x00\x00", "The file is not text: choose the checklist's .yaml file."),
    (b"# " + b"x" * (256 * 1024), "The file is larger than 256 KB: this is not a checklist file."),
])
def test_a_file_that_is_no_checklist_is_refused_with_a_reason(client, admin, content, message):
    response = check(client, content, "picture.yaml")
    assert response.status_code == 400 and message in text_of(response)
    assert versions() == [1]


def test_a_file_whose_aliases_expand_beyond_any_checklist_is_refused_at_once(client, admin):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]  # 10⁹ values
    response = check(client, "\n".join(lines))
    assert response.status_code == 400 and "more than 100,000 values" in text_of(response)


@pytest.mark.parametrize("content, message", [
    ("base: &b {x: 1}\nid: {<<: *b, y: 2}\n", "merge keys"),
    ("id: x\ntitle: !!python/object/apply:os.system ['id']\n", "tags"),
    ("!!omap [a: 1, b: 2]\n", "tags"),
    ("[" * 3000 + "]" * 3000, "nested more than 40 levels deep"),
])
def test_yaml_a_checklist_has_no_use_for_is_refused_not_a_server_error(client, admin, content, message):
    """Merge keys and tags made the page fail with a 500 (ruamel keeps them as its own objects)."""
    response = check(client, content)
    assert response.status_code == 400 and message in text_of(response)


def test_no_file_chosen_says_so(client, admin):
    page = client.get("/checklist-files").get_data(as_text=True)
    response = client.post("/checklist-files", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 400 and "Choose a checklist file to check." in text_of(response)


def test_going_back_to_an_older_version_is_said_and_needs_its_own_button(client, admin):
    confirm(client, check(client, HEAVIER))
    preview = check(client, PHONE)
    page = text_of(preview)
    assert ("The file is version 1, older than the newest version 2. Storing it makes version 3 with the content "
            "of version 1: the changes listed below are taken back.") in page
    assert "weight 3 → 1.5" in page and "Go back to version 1 as version 3" in page
    assert versions() == [1, 2]
    confirm(client, preview)
    assert versions() == [1, 2, 3]
    hashes = dict(db.session.execute(select(ChecklistVersion.number, ChecklistVersion.content_hash)
                                     .join(Checklist).where(Checklist.key == "phone-enquiry")).all())
    assert hashes[3] == hashes[1] != hashes[2]


def test_the_checklist_folder_loaded_at_start_does_not_undo_a_version_loaded_on_the_page(client, admin, runner):
    """``make run`` loads the checklists folder at every start: its older file used to be
    stored again as the newest version, taking back what the admin had loaded on the page."""
    confirm(client, check(client, HEAVIER))
    result = runner.invoke(args=["load-checklists", str(CHECKLIST_DIR)])
    assert result.exit_code == 0, result.output
    assert ("phone-enquiry: not stored — phone-enquiry.yaml is version 1, older than the newest version 2"
            in result.output)
    assert f"to go back to it: audit load-checklists --take-back {CHECKLIST_DIR / 'phone-enquiry.yaml'}" in result.output
    assert "store-visit: version 1 (unchanged)" in result.output
    assert versions() == [1, 2]
    taken_back = runner.invoke(args=["load-checklists", "--take-back", str(CHECKLIST_DIR / "phone-enquiry.yaml")])
    assert taken_back.exit_code == 0 and "phone-enquiry: version 3 (new version)" in taken_back.output
    assert versions() == [1, 2, 3]


def test_a_stored_version_of_a_retired_checklist_does_not_bring_it_back(client, admin):
    page = client.get("/checklists/phone-enquiry").get_data(as_text=True)
    client.post("/checklists/phone-enquiry/retire", data={"csrf_token": csrf_token(page)})
    preview = check(client, HEAVIER)
    assert "This checklist is retired" in text_of(preview)
    stored = text_of(confirm(client, preview))
    assert "“Phone enquiry” is retired: it is still not offered for new visits." in stored
    db.session.expire_all()
    assert db.session.scalar(select(Checklist.retired_at).where(Checklist.key == "phone-enquiry")) is not None


def test_the_confirmation_skips_none_of_the_file_checks(client, admin):
    """The store form's text is the checked file's, unless edited: a text over the size limit
    went in that way."""
    page = client.get("/checklist-files").get_data(as_text=True)
    big = PHONE + "#" + "x" * (256 * 1024)
    response = client.post("/checklist-files/store", data={"csrf_token": csrf_token(page), "text": big,
                                                           "filename": "phone-enquiry.yaml"})
    assert response.status_code == 400 and "larger than 256 KB" in text_of(response)
    assert versions() == [1]


def test_a_title_with_a_line_break_downloads_as_a_file_that_loads_back(client, admin):
    titled = NEW_CHECKLIST.replace("title: {en: Salon visit,", 'title: {en: "Salon\nid: other-id\n#visit",')
    confirm(client, check(client, titled, "salon.yaml"))
    text = client.get("/checklists/salon-visit/checklist.yaml").get_data(as_text=True)
    assert text.startswith("# Salon id: other-id #visit (salon-visit), version 1")
    assert "The file is the same as version 1, the newest" in text_of(check(client, text, "salon-v1.yaml"))


def test_an_edited_store_form_is_checked_again(client, admin):
    page = client.get("/checklist-files").get_data(as_text=True)
    response = client.post("/checklist-files/store", data={"csrf_token": csrf_token(page), "text": "id: x\n",
                                                      "filename": "../../etc/passwd"})
    assert response.status_code == 400 and "Nothing was stored: passwd has" in text_of(response)
    assert db.session.scalar(select(func.count(Checklist.id))) == 3


def test_a_version_downloaded_as_a_file_loads_back_as_the_same_version_and_can_be_edited(client, admin):
    confirm(client, check(client, HEAVIER))  # version 2, loaded here: the folder file is version 1
    page = client.get("/checklists/phone-enquiry?version=2").get_data(as_text=True)
    assert 'href="/checklists/phone-enquiry/checklist.yaml?version=2"' in page
    download = client.get("/checklists/phone-enquiry/checklist.yaml?version=2")
    assert download.status_code == 200 and download.mimetype == "application/yaml"
    assert 'filename="phone-enquiry-v2.yaml"' in download.headers["Content-Disposition"]
    text = download.get_data(as_text=True)
    assert text.startswith("# Phone enquiry (phone-enquiry), version 2 of ")
    assert "lv: Sazvanīšanās" in text and not re.search(r" +$", text, re.M)  # readable, no trailing spaces
    assert "The file is the same as version 2, the newest" in text_of(check(client, text, "phone-enquiry-v2.yaml"))
    edited = text.replace("weight: 3\n", "weight: 2\n", 1)
    assert "Section “Getting through”: weight 3 → 2" in text_of(check(client, edited, "phone-enquiry-v2.yaml"))
    newest = client.get("/checklists/phone-enquiry/checklist.yaml").get_data(as_text=True)
    assert newest == text
    assert "version 1 of" in client.get("/checklists/phone-enquiry/checklist.yaml?version=1").get_data(as_text=True)
    assert client.get("/checklists/phone-enquiry/checklist.yaml?version=9").status_code == 404
    assert client.get("/checklists/no-such/checklist.yaml").status_code == 404


def test_a_checklist_near_the_size_limit_goes_through_the_confirmation_too(client, admin):
    """The checked text travels back as a form field, a large Russian checklist url-encoded to
    three times its size (each letter as %D0%B0): as a multipart field it would be over
    Werkzeug's 500,000-byte limit and refused."""
    guidance = "Проверьте, что сотрудник объяснил условия гарантии и ухода. " * 30
    item = PHONE.index("      - id: answer_seconds")
    padding = "".join(f"      - id: note_{n}\n        text: {{en: Note {n}, ru: \"{guidance}\"}}\n        type: text\n"
                      for n in range(60))
    big = PHONE[:item] + padding + PHONE[item:]
    assert 200_000 < len(big.encode("utf-8")) < 256 * 1024
    stored = confirm(client, check(client, big))
    assert stored.status_code == 200 and "Version 2 of “Phone enquiry” stored" in text_of(stored)


def test_a_version_stored_by_someone_else_meanwhile_is_not_taken_back_silently(client, admin):
    """Two admins checked two edits of version 1; both previews offered "Store as version 2". The
    second store made version 3 from its own file, taking the first one's change back unsaid."""
    lighter = PHONE.replace("      lv: Sazvanīšanās\n    weight: 1.5", "      lv: Sazvanīšanās\n    weight: 1", 1)
    first, second = check(client, HEAVIER), check(client, lighter)
    confirm(client, first)
    refused = confirm(client, second)
    assert "Nothing was stored: version 2 of this checklist was stored since you checked the file." in text_of(refused)
    assert versions() == [1, 2]
    assert "Changes from version 2" in text_of(check(client, lighter))  # checked again: against version 2


def test_a_new_id_under_an_existing_title_is_pointed_out(client, admin):
    typo = PHONE.replace("id: phone-enquiry", "id: phone-enqiury", 1)
    page = text_of(check(client, typo))
    assert "A new checklist" in page
    assert ("“Phone enquiry” is already the title of the checklist “phone-enquiry”. To make a new version of it, its "
            "id must be “phone-enquiry”, not “phone-enqiury”.") in page


def test_the_preview_names_a_new_principle_and_a_new_channel(client, admin):
    edited = PHONE.replace("        principle: speed\n", "        principle: channel_access\n", 1)
    edited = edited.replace("channel: phone\n", "channel: email\n", 1)
    page = text_of(check(client, edited))
    assert "principle Speed → Reaching the channel" in page and "Channel: Phone → E-mail" in page
    assert "Only the order" not in page


def test_a_section_renamed_only_in_another_language_is_not_said_renamed_from_its_own_title(client, admin):
    """Only the Latvian title of "Getting through" changed: the English page said "renamed from
    “Getting through”" beside the heading "Getting through", a rename nobody could see."""
    latvian_only = PHONE.replace("      lv: Sazvanīšanās\n", "      lv: Savienojums\n", 1)
    page = text_of(check(client, latvian_only))
    assert "Section “Getting through”: renamed in another language" in page
    assert "renamed from “Getting through”" not in page
    renamed = text_of(check(client, PHONE.replace("      en: Getting through\n", "      en: Reaching us\n", 1)))
    assert "Section “Reaching us”: renamed from “Getting through”" in renamed


def test_problems_are_shown_in_the_page_s_language_counted_as_people_count(client, admin):
    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    broken = HEAVIER.replace("    weight: 3", "    weight: -3", 1).replace("channel: phone", "channel: fax", 1)
    page = text_of(check(client, broken))
    line_of_weight = broken.splitlines().index("    weight: -3") + 1
    assert f"eilutė {line_of_weight} dalis 1 › weight turi būti didesnis už 0" in page
    assert "„fax“ nėra viena iš: in_person, phone, email" in page
    typo = text_of(check(client, HEAVIER.replace("    weight: 3", "    wieght: 3", 1)))
    assert "nežinomas raktas; gal turėjote omenyje „weight“?" in typo
    # A key written twice (a pasted line): the YAML reader's English words alone were the message.
    twice = text_of(check(client, PHONE.replace("channel: phone\n", "channel: phone\nchannel: email\n", 1)))
    assert "eilutė 15 raktas „channel“ parašytas du kartus tame pačiame lygyje: palikite vieną" in twice


def test_the_format_guide_is_one_click_from_the_upload_page(client, admin):
    page = client.get("/checklist-files").get_data(as_text=True)
    assert 'href="/checklist-files/format"' in page
    guide = client.get("/checklist-files/format")
    html = guide.get_data(as_text=True)
    assert guide.status_code == 200 and "<h1>Checklist definition format</h1>" in html
    assert "<table>" in html and "<code>critical_policy</code>" in html  # the README's tables, rendered
