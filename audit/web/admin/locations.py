"""Admin screens for locations (list, create, edit, import and export as CSV) and regions (list,
create, rename, delete)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from ...services.assignments import waiting_assignments
from ...names import code_key, name_key
from ...models import Location, Region
from ...services.locations import (
    LocationError, create_location, create_region, delete_region, rename_region, update_location,
)
from ...services.import_conflicts import ImportConflict
from ...services.locations_csv import (
    COLUMNS, LISTED, LocationImport, LocationImportRejected, export_locations, import_locations,
)
from ..csv_upload import CsvUploadError, csv_text
from ..i18n import spreadsheet_separator
from ..options import options
from ..reports import content_disposition
from . import bp, requires, show_error
from .errors import column_name, conflict_message, translate_error
from .forms import LocationForm, LocationImportForm, RegionForm

MAX_IMPORT_BYTES = 2_000_000  # a chain of thousands of branches is far smaller


@bp.get("/locations")
@requires("manage_locations")
def locations():
    return _locations_page(LocationImportForm(prefix="csv"))


def _locations_page(import_form: LocationImportForm, import_errors: list[str] = ()) -> str:
    stmt = (
        select(Location)
        .outerjoin(Region, Location.region_id == Region.id)
        .options(selectinload(Location.region), selectinload(Location.managers))
        .order_by(Location.active.desc(), Region.name, Location.code)
    )
    found = sorted(db.session.scalars(stmt).all(),  # active first, by region, codes in number order
                   key=lambda l: (not l.active, name_key(l.region.name) if l.region else ("",), code_key(l.code)))
    return render_template("admin/locations.html", locations=found, import_form=import_form,
                           import_errors=import_errors, columns=COLUMNS)


@bp.post("/locations/import")
@requires("manage_locations")
def locations_import():
    """Branches and regions from a CSV file, all or nothing; the list page again with every
    problem (400) when the file is refused."""
    form = LocationImportForm(prefix="csv")
    if not form.validate_on_submit():
        return _locations_page(form, [str(error) for error in form.file.errors]), 400
    raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return _locations_page(form, [_("The file is larger than 2 MB.")]), 400
    try:
        text = csv_text(raw)
    except CsvUploadError as exc:
        return _locations_page(form, [str(exc)]), 400
    try:
        result = import_locations(text, current_user, source=form.file.data.filename or "upload")
    except ImportConflict as exc:  # another import at the same moment: the file itself is fine
        db.session.rollback()
        return _locations_page(form, [conflict_message(exc)]), 409
    except LocationImportRejected as exc:
        db.session.rollback()
        errors = [_problem_text(problem) for problem in exc.problems]
        if exc.omitted:
            errors.append(_("… and %(num)d more", num=exc.omitted))
        return _locations_page(form, errors), 400
    db.session.commit()
    flash(_import_summary(result), "info")
    for code, count in result.still_open:
        flash(ngettext("%(code)s deactivated: %(num)d scheduled visit is still open. Cancel or move it on the "
                       "Scheduled visits page.",
                       "%(code)s deactivated: %(num)d scheduled visits are still open. Cancel or move them on the "
                       "Scheduled visits page.", count, code=code), "error")
    return redirect(url_for(".locations"))


@bp.get("/locations/export.csv")
@requires("manage_locations")
def locations_export():
    """Every branch in the import's columns: the admin edits it in a spreadsheet and imports it again."""
    return Response(export_locations(spreadsheet_separator()).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition("locations.csv"), "Cache-Control": "private, no-store"})


@bp.route("/locations/new", methods=["GET", "POST"])
@requires("manage_locations")
def location_new():
    form = LocationForm()
    form.region.choices = _region_choices()
    if form.validate_on_submit():
        try:
            location = create_location(**_location_values(form), actor=current_user)
        except LocationError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Location %(code)s created.", code=location.code), "info")
            return redirect(url_for(".locations"))
    return render_template("admin/location_form.html", form=form, location=None)


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@requires("manage_locations")
def location_edit(location_id: int):
    location = db.get_or_404(Location, location_id)
    form = LocationForm(data={
        "code": location.code, "name": location.name, "region": location.region_id or 0, "city": location.city,
        "address": location.address, "format": location.format, "active": location.active,
    })
    form.region.choices = _region_choices()
    if form.validate_on_submit():
        try:
            changes = update_location(location, **_location_values(form), actor=current_user)
        except LocationError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            if changes:
                flash(_("Changes to %(code)s saved.", code=location.code), "info")
            waiting = waiting_assignments(location=location) if not location.active else 0
            if waiting:
                flash(ngettext("%(code)s is inactive but still has %(num)d scheduled visit not started: cancel it "
                               "under Scheduled visits.",
                               "%(code)s is inactive but still has %(num)d scheduled visits not started: cancel "
                               "them under Scheduled visits.", waiting, code=location.code), "error")
            return redirect(url_for(".locations"))
    return render_template("admin/location_form.html", form=form, location=location)


@bp.route("/regions", methods=["GET", "POST"])
@requires("manage_locations")
def regions():
    form = RegionForm()
    if form.validate_on_submit():
        try:
            region = create_region(form.name.data, actor=current_user)
        except LocationError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Region %(name)s created.", name=region.name), "info")
            return redirect(url_for(".regions"))
    stmt = (
        select(Region.id, Region.name, func.count(Location.id).label("locations"))
        .outerjoin(Location, Location.region_id == Region.id)
        .group_by(Region.id, Region.name)
    )
    regions = sorted(db.session.execute(stmt).all(), key=lambda row: name_key(row.name))
    return render_template("admin/regions.html", regions=regions, form=form)


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
@requires("manage_locations")
def region_edit(region_id: int):
    region = db.get_or_404(Region, region_id)
    form = RegionForm(data={"name": region.name})
    if form.validate_on_submit():
        try:
            rename_region(region, form.name.data, actor=current_user)
        except LocationError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Region renamed to %(name)s.", name=region.name), "info")
            return redirect(url_for(".regions"))
    count = db.session.scalar(select(func.count(Location.id)).where(Location.region_id == region.id))
    return render_template("admin/region_form.html", form=form, region=region, location_count=count)


@bp.post("/regions/<int:region_id>/delete")
@requires("manage_locations")
def region_delete(region_id: int):
    region = db.get_or_404(Region, region_id)
    name = region.name
    try:
        delete_region(region, actor=current_user)
    except LocationError as exc:
        db.session.rollback()
        show_error(None, exc)
    else:
        db.session.commit()
        flash(_("Region %(name)s deleted.", name=name), "info")
    return redirect(url_for(".regions"))


def _region_choices() -> list[SelectChoice]:
    regions = sorted(db.session.execute(select(Region.id, Region.name)).all(), key=lambda row: name_key(row.name))
    return options([(0, _("No region")), *((region_id, name) for region_id, name in regions)])


def _location_values(form: LocationForm) -> dict:
    return {"code": form.code.data, "name": form.name.data, "region_id": form.region.data or None,
            "city": form.city.data, "address": form.address.data, "format": form.format.data,
            "active": form.active.data}


def _problem_text(problem) -> str:
    """``line N: column: message`` in the page's language (column names stay as in the CSV)."""
    return f"{_('line %(num)d', num=problem.line)}: {column_name(problem.column)}: {translate_error(problem.message)}"


def _import_summary(result: LocationImport) -> str:
    if not (result.created or result.updated or result.regions):
        return ngettext("Nothing changed: the %(num)d branch in the file is already as the file says.",
                        "Nothing changed: the %(num)d branches in the file are already as the file says.",
                        len(result.unchanged))
    parts = [ngettext("%(num)d branch created", "%(num)d branches created", len(result.created))
             + _listed(result.created),
             ngettext("%(num)d updated", "%(num)d updated", len(result.updated)) + _listed(result.updated),
             ngettext("%(num)d unchanged", "%(num)d unchanged", len(result.unchanged))]
    text = ", ".join(parts)
    if result.regions:
        text += "; " + ngettext("%(num)d region created: %(names)s", "%(num)d regions created: %(names)s",
                                len(result.regions), names=_named(result.regions))
    return text


def _listed(codes: list[str]) -> str:
    return f" ({_named(codes)})" if codes else ""


def _named(names: list[str]) -> str:
    """``RIX-05, RIX-06 … and 7 more``: the first few names, the rest counted."""
    shown = ", ".join(names[:LISTED])
    if len(names) <= LISTED:
        return shown
    return _("%(names)s … and %(num)d more", names=shown, num=len(names) - LISTED)
