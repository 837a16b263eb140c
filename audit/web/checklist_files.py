"""Loading a checklist file on the checklists page (admins): check it, see what it changes
against the newest version, then store it. The same rules as ``audit load-checklists``: the
file is stored whole or not at all, and its problems are named by line and field."""
from __future__ import annotations

import re
from pathlib import PurePath

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField
from wtforms.validators import DataRequired

from .. import PROJECT_ROOT
from ..checklist import ChecklistError, ChecklistProblem, parse_checklist
from ..checklist.loader import undecodable_line
from ..checklist.changes import version_changes
from ..checklist.model import LANGUAGES
from ..checklist.untranslated import missing_texts_in
from ..checklist.writer import checklist_yaml
from ..extensions import db
from ..models import Checklist
from ..services.checklist_retirement import find_checklist
from ..services.checklists import find_version_by_content, store_checklist
from .admin import requires
from .checklist_problems import readable_path
from .checklist_problems import shown as readable_problems
from .csv_upload import WORKBOOKS, binary_document
from .forms import AppForm
from .reports import content_disposition

bp = Blueprint("checklist_files", __name__)
# Passages of the format guide for developers (how the four languages are kept in step, what
# ``make run`` does), which the repository shows and the admin's page leaves out.
FOR_DEVELOPERS = re.compile(r"[ \t]*<!-- not on the web page -->.*?<!-- /not on the web page -->[ \t]*\n?", re.S)
bp.add_app_template_filter(readable_problems, "readable_problems")
bp.add_app_template_filter(readable_path, "readable_path")

#: The largest example checklist is 52 KB; five times that is still a checklist. (The checked
#: text goes back with the confirmation url-encoded, up to three times its size: Werkzeug's
#: 500,000-byte limit on a form field holds for multipart forms only, so that form is not one.)
MAX_CHECKLIST_BYTES = 256 * 1024


class ChecklistFileForm(AppForm):
    file = FileField(_l("Checklist file (.yaml)"),
                     validators=[FileRequired(message=_l("Choose a checklist file to check."))])


class StoreChecklistForm(AppForm):
    """The checked file's text travels back with the confirmation and is checked again."""
    text = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    take_back = HiddenField()
    #: the newest version the preview compared with ("0": none): another admin's version stored
    #: since would otherwise be taken back without a word
    compared_with = HiddenField()


@bp.get("/checklists/<key>/checklist.yaml")
@requires("view_checklists")
def download(key: str):
    """A stored version as a checklist file (``?version=N``, else the newest), to edit for the next one."""
    found = find_checklist(key)
    if found is None or not found.versions:
        abort(404)
    number = request.args.get("version", type=int)
    version = next((v for v in found.versions if v.number == number), None) if "version" in request.args \
        else found.current_version
    if version is None:
        abort(404)
    title = " ".join(version.parsed.title.en.split())  # one comment line, whatever the title holds
    header = [f"{title} ({key}), version {version.number} of {version.created_at:%Y-%m-%d}, "
              f"as stored (comments and formatting of the original file are not kept).",
              "Edit it and load it on the Checklists page, or put it in the checklists folder; "
              "format: checklists/README.md."]
    return Response(checklist_yaml(version.parsed, header).encode("utf-8"), mimetype="application/yaml", headers={
        "Content-Disposition": content_disposition(f"{key}-v{version.number}.yaml"),
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


@bp.get("/checklist-files")
@requires("manage_checklists")
def load_form():
    return render_template("home/checklist_load.html", form=ChecklistFileForm())


@bp.post("/checklist-files")
@requires("manage_checklists")
def check_file():
    """Check the uploaded file and show what storing it would do; nothing is stored yet."""
    form = ChecklistFileForm()
    if not form.validate_on_submit():
        return render_template("home/checklist_load.html", form=form), 400
    upload = form.file.data
    filename = _filename(upload.filename)
    raw = upload.read(MAX_CHECKLIST_BYTES + 1)
    refused = _not_a_checklist(raw)
    if refused:
        return _refused(form, refused, undecodable_line(raw))
    text = raw.decode("utf-8-sig")
    try:
        definition = parse_checklist(text, filename)
    except ChecklistError as exc:
        return render_template("home/checklist_load.html", form=form, filename=filename,
                               problems=exc.problems), 400
    return _preview(form, definition, text, filename)


@bp.get("/checklist-files/format")
@requires("manage_checklists")
def format_guide():
    """The checklist file format (``checklists/README.md``, the same text as in the repository),
    for admins who load files on the web and cannot open the repository: in the page's language
    (``README.ru.md`` …, translations of it), in English where the translation is missing."""
    import markdown

    folder = PROJECT_ROOT / "checklists"
    lang = get_locale().language if get_locale() else "en"
    guide = folder / f"README.{lang}.md"
    if lang not in LANGUAGES[1:] or not guide.is_file():
        lang, guide = "en", folder / "README.md"
    text = FOR_DEVELOPERS.sub("", guide.read_text(encoding="utf-8"))
    html = markdown.markdown(text, extensions=["tables", "fenced_code"])
    return render_template("home/checklist_format.html", guide=Markup(html), lang=lang)


@bp.post("/checklist-files/store")
@requires("manage_checklists")
def store_file():
    form = StoreChecklistForm()
    if not form.validate_on_submit():
        flash(_("Nothing was stored: check the file again."), "error")
        return redirect(url_for(".load_form"))
    filename = _filename(form.filename.data)
    refused = _not_a_checklist(form.text.data.encode("utf-8"))  # an edited form skips no check
    if refused:
        return render_template("home/checklist_load.html", form=ChecklistFileForm(), filename=filename,
                               problems=[ChecklistProblem(filename, None, "", refused)]), 400
    try:
        definition = parse_checklist(form.text.data, filename)
    except ChecklistError as exc:  # only an edited form gets here: the text was checked before
        return render_template("home/checklist_load.html", form=ChecklistFileForm(), filename=filename,
                               problems=exc.problems), 400
    newest, _same = find_version_by_content(definition)
    if str(newest.number if newest is not None else 0) != (form.compared_with.data or "0"):
        flash(_("Nothing was stored: version %(number)s of this checklist was stored since you checked the file. "
                "Check the file again to see what it changes against that version.",
                number=newest.number if newest is not None else 0), "error")
        return redirect(url_for(".load_form"))
    try:
        outcome = store_checklist(definition, filename, actor=current_user, take_back=form.take_back.data == "y")
        db.session.commit()
    except IntegrityError:  # another admin (or a release script) stored a version at the same moment
        db.session.rollback()
        flash(_("Another version of this checklist was stored at the same moment; nothing was stored. "
                "Check the file again to see what it changes now."), "error")
        return redirect(url_for(".load_form"))
    title = definition.title.get(get_locale().language if get_locale() else "en")
    if outcome.created:
        flash(_("Version %(number)s of “%(title)s” stored: new visits use it from now on.",
                number=outcome.number, title=title), "info")
    elif outcome.older is not None:
        flash(_("Nothing was stored: the file is version %(old)s, older than version %(number)s.",
                old=outcome.older, number=outcome.number), "error")
    else:
        flash(_("Nothing was stored: the file is the same as version %(number)s.", number=outcome.number), "info")
    if outcome.retired:
        flash(_("“%(title)s” is retired: it is still not offered for new visits.", title=title), "info")
    return redirect(url_for("home.checklist", key=definition.id))


def _preview(upload_form: ChecklistFileForm, definition, text: str, filename: str):
    newest, same = find_version_by_content(definition)
    changes = version_changes(newest.parsed, definition) if newest is not None and same is not newest else None
    store = StoreChecklistForm(formdata=None, text=text, filename=filename,
                               take_back="y" if same is not None and same is not newest else "",
                               compared_with=str(newest.number if newest is not None else 0))
    # A new id whose title is an existing checklist's: most likely a typo in the id.
    lang = get_locale().language if get_locale() else "en"
    namesake = None if newest is not None else next(
        (c for c in db.session.scalars(select(Checklist)) if c.title_in("en") == definition.title.en
         or c.title_in(lang) == definition.title.get(lang)), None)
    return render_template(
        "home/checklist_load.html", form=upload_form, store=store, filename=filename, definition=definition,
        newest=newest, same=same, changes=changes, untranslated=_untranslated(text),
        checklist=find_checklist(definition.id), namesake=namesake,
        questions=sum(len(section.items) for section in definition.sections))


def _untranslated(text: str) -> list[tuple[str, list]]:
    """Per language (Russian, Lithuanian, Latvian), the places without a text in it."""
    places = missing_texts_in(text)
    by_language = [(lang, [place for place in places if lang in place.languages]) for lang in LANGUAGES[1:]]
    return [(lang, found) for lang, found in by_language if found]


def _not_a_checklist(raw: bytes) -> str | None:
    """Why ``raw`` cannot be a checklist file (too large, not UTF-8, not text), or None."""
    if len(raw) > MAX_CHECKLIST_BYTES:
        return _("The file is larger than 256 KB: this is not a checklist file.")
    # A workbook, a picture or a PDF (renamed .yaml, or chosen by mistake) is no text: "not UTF-8
    # text … save it as UTF-8" sent the admin to re-save a spreadsheet.
    if raw.startswith(WORKBOOKS) or binary_document(raw):
        return _("The file is not text: choose the checklist's .yaml file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _("The file is not UTF-8 text (byte %(num)d). Save it as UTF-8.", num=exc.start)
    if "\x00" in text:
        return _("The file is not text: choose the checklist's .yaml file.")
    return None


def _refused(form: ChecklistFileForm, message: str, line: int | None = None):
    return render_template("home/checklist_load.html", form=form,
                           problems=[ChecklistProblem(_filename(form.file.data.filename), line, "", message)]), 400


def _filename(name: str | None) -> str:
    """The file's own name, as the versions list shows where a version came from."""
    return PurePath((name or "").replace("\\", "/")).name[:200] or "upload.yaml"

