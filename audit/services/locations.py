"""Locations (branches) and the regions that group them, as the admin screens change them.

Messages are plain English; ``field`` names the form field a page shows the message next to.
Every change is written to the audit log.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select

from ..extensions import db
from ..names import same_name
from .import_values import name_key
from ..models import LOCATION_FORMATS, Location, Region, User
from . import audit_log

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class LocationError(ValueError):
    """A location or region could not be saved or deleted; the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def create_location(*, code: str, name: str, region_id: int | None, city: str = "", address: str = "",
                    format: str = "high_street", active: bool = True, actor: User | None = None,
                    check_name: bool = True) -> Location:
    """A new branch; ``check_name`` False leaves the name's sameness to the branch import, which
    checks a whole file at once."""
    values = _valid_location(code, name, region_id, city, address, format, active, check_name=check_name)
    location = Location(**values)
    db.session.add(location)
    db.session.flush()
    audit_log.record("location.created", "location", location.id, actor,
                     **{key: value for key, value in values.items() if key != "region"},
                     region=values["region"].name if values["region"] else None)
    return location


def update_location(location: Location, *, code: str, name: str, region_id: int | None, city: str = "",
                    address: str = "", format: str = "high_street", active: bool = True,
                    actor: User | None = None, check_name: bool = True) -> dict:
    """Change ``location``; returns what changed (also written to the audit log)."""
    values = _valid_location(code, name, region_id, city, address, format, active, ignore=location,
                             check_name=check_name)
    changes: dict = {}
    for attribute, new in values.items():
        old = getattr(location, attribute)
        if old != new:
            if attribute == "region":
                changes["region"] = [old.name if old else None, new.name if new else None]
            else:
                changes[attribute] = [old, new]
            setattr(location, attribute, new)
    if changes:
        db.session.flush()
        audit_log.record("location.updated", "location", location.id, actor, changes=changes)
    return changes


def create_region(name: str, actor: User | None = None) -> Region:
    region = Region(name=_valid_region_name(name))
    db.session.add(region)
    db.session.flush()
    audit_log.record("region.created", "region", region.id, actor, name=region.name)
    return region


def rename_region(region: Region, name: str, actor: User | None = None) -> None:
    name = _valid_region_name(name, ignore=region)
    if name != region.name:
        old, region.name = region.name, name
        db.session.flush()
        audit_log.record("region.renamed", "region", region.id, actor, changes={"name": [old, name]})


def delete_region(region: Region, actor: User | None = None) -> None:
    """Delete an empty region; one that still groups locations is refused."""
    count = db.session.scalar(select(func.count(Location.id)).where(Location.region_id == region.id))
    if count:
        raise LocationError(
            f"the region {region.name} still has {count} location(s); move them to another region first")
    audit_log.record("region.deleted", "region", region.id, actor, name=region.name)
    db.session.delete(region)
    db.session.flush()


def _valid_location(code, name, region_id, city, address, format, active, ignore: Location | None = None,
                    check_name: bool = True) -> dict:
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise LocationError(
            "the code has 1 to 32 letters, digits, '-', '_' or '.', starting with a letter or digit", "code")
    taken = select(Location.id).where(func.upper(Location.code) == code.upper())
    if ignore is not None:
        taken = taken.where(Location.id != ignore.id)
    if db.session.scalar(taken):
        raise LocationError(f"a location with the code {code} already exists", "code")
    name = (name or "").strip()
    if not name:
        raise LocationError("a name is required", "name")
    if check_name and (ignore is None or name_key(name) != name_key(ignore.name)):
        _name_not_taken(code, name, ignore)
    region = None
    if region_id:
        region = db.session.get(Region, region_id)
        if region is None:
            raise LocationError(f"unknown region {region_id}", "region")
    if format not in LOCATION_FORMATS:
        raise LocationError(f"unknown format '{format}'; use one of: {', '.join(LOCATION_FORMATS)}", "format")
    return {"code": code, "name": name, "region": region, "city": (city or "").strip(),
            "address": (address or "").strip(), "format": format, "active": bool(active)}


def _name_not_taken(code: str, name: str, ignore: Location | None) -> None:
    """Another branch with this name but for case, accents and spaces ("Volta  mega" beside
    "Volta Mega") is the one meant, as the branch import says: refused, naming it."""
    key = name_key(name)
    others = select(Location.code, Location.name)
    if ignore is not None:
        others = others.where(Location.id != ignore.id)
    other = next((other_code for other_code, other_name in db.session.execute(others)
                  if name_key(other_name) == key), None)
    if other is None:
        return
    if ignore is None:
        raise LocationError(f"{code} is new, but '{name}' is the name of {other}: use that code or another name", "name")
    raise LocationError(f"'{name}' is the name of {other}: give {code} another name", "name")


def _valid_region_name(name: str, ignore: Region | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise LocationError("a name is required", "name")
    others = select(Region.name)
    if ignore is not None:
        others = others.where(Region.id != ignore.id)
    names = list(db.session.scalars(others))  # regions are few
    if any(same_name(name, other) for other in names):
        raise LocationError(f"a region called {name} already exists", "name")
    # Riga beside Rīga splits one region's statistics in two (the import refuses it too).
    similar = next((other for other in names if name_key(other) == name_key(name)), None)
    if similar is not None:
        raise LocationError(f"'{name}' is the region {similar} but for accents: write {similar}", "name")
    return name
