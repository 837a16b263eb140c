"""Where a checklist file lacks a text in Russian, Lithuanian or Latvian: the line and field of
each, as the other checklist problems are named (``sections[1].items[3].guidance``)."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .model import LANGUAGES
from .yaml_lines import line_of, load_yaml_with_lines


class MissingText(NamedTuple):
    line: int | None
    path: str  # the field, as in the other problems
    languages: tuple[str, ...]  # the languages without a text there, shown in English instead


def missing_texts(path: Path) -> list[MissingText]:
    """The untranslated texts of a checklist file that reads without problems, in file order."""
    return missing_texts_in(path.read_text(encoding="utf-8"))


def missing_texts_in(text: str) -> list[MissingText]:
    """The same for a checklist file's text (one uploaded on the checklists page)."""
    data = load_yaml_with_lines(text)
    found: list[MissingText] = []

    def check(mapping, key: str, where: str) -> None:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None:
            return
        missing = tuple(lang for lang in LANGUAGES[1:] if not (isinstance(value, dict) and value.get(lang)))
        if missing:
            found.append(MissingText(line_of(mapping, key), f"{where}.{key}" if where else key, missing))

    check(data, "title", "")
    check(data, "description", "")
    for s, section in enumerate(data.get("sections") or []):
        spath = f"sections[{s}]"
        check(section, "title", spath)
        for i, item in enumerate(section.get("items") or []):
            ipath = f"{spath}.items[{i}]"
            for key in ("text", "guidance", "unit"):
                check(item, key, ipath)
            for o, option in enumerate(item.get("options") or []):
                check(option, "label", f"{ipath}.options[{o}]")
    return found
