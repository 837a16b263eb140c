"""A reviewer whose return (or approval) is refused because someone else approved or returned
the visit meanwhile is told so — who, and when — instead of "Only submitted visits can be
returned", which read as if they had done something wrong; what they typed is still kept."""
from __future__ import annotations

import re
from html import unescape

from tests.conftest import csrf_token, login


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_a_return_after_another_reviewer_approved_says_who_and_keeps_the_notes(app, make_location, make_user,
                                                                                  make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), {"greeted_promptly": "no"}, status="submitted")
    first, second = make_user("reviewer", name="Rūta Pirmoji"), make_user("reviewer", name="Olga Second")
    mine, theirs = app.test_client(), app.test_client()
    login(mine, second.email)
    page = mine.get(f"/visits/{visit.id}").get_data(as_text=True)  # open, reading the visit
    login(theirs, first.email)
    approved = theirs.post(f"/visits/{visit.id}/approve",
                           data={"csrf_token": csrf_token(theirs.get(f"/visits/{visit.id}").get_data(as_text=True))})
    assert approved.status_code == 302

    refused = mine.post(f"/visits/{visit.id}/return", data={
        "csrf_token": csrf_token(page), "note": "Please add the photo of the entrance",
        "note-greeted_promptly": "Who did not greet you?"})
    text = text_of(refused.get_data(as_text=True))
    assert re.search(r"This visit was approved meanwhile \(Rūta Pirmoji, [^)]+\)\. It can no longer be returned\.", text)
    assert "Only submitted visits can be returned" not in text
    assert "Please add the photo of the entrance" in text and "Who did not greet you?" in text  # kept as typed

    again = mine.post(f"/visits/{visit.id}/approve", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert re.search(r"This visit was approved meanwhile \(Rūta Pirmoji, [^)]+\)\. It can no longer be approved\.",
                     text_of(again.get_data(as_text=True)))


def test_an_approval_after_a_return_says_so_in_the_reviewer_s_language(app, make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), {"greeted_promptly": "yes"}, status="submitted")
    first, second = make_user("reviewer", name="Rūta Pirmoji"), make_user("reviewer", name="Olga Second")
    mine, theirs = app.test_client(), app.test_client()
    login(mine, second.email)
    page = mine.get(f"/visits/{visit.id}").get_data(as_text=True)
    mine.post("/language", data={"lang": "ru", "csrf_token": csrf_token(page)})
    login(theirs, first.email)
    theirs.post(f"/visits/{visit.id}/return", data={
        "csrf_token": csrf_token(theirs.get(f"/visits/{visit.id}").get_data(as_text=True)), "note": "Add the time"})
    refused = mine.post(f"/visits/{visit.id}/approve", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert re.search(r"Визит тем временем возвращён аудитору \(Rūta Pirmoji, [^)]+\)\. Утвердить его уже нельзя\.",
                     text_of(refused.get_data(as_text=True)))
