"""Read checklist files into :class:`Checklist` values, reporting every problem precisely.

Each problem names the file, the line and the path of the field
(``checklists/store.yaml:42: sections[2].items[3].weight: must be greater than 0``).
Loading is all-or-nothing: a file with any problem raises :class:`ChecklistError`.
"""
from __future__ import annotations

from pathlib import Path

from .model import Checklist
from .reader import ChecklistProblem, Reader
from .yaml_lines import YAMLError, load_yaml_with_lines

class ChecklistError(Exception):
    """A checklist file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[ChecklistProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_checklist_file(path: str | Path) -> Checklist:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChecklistError([ChecklistProblem(str(path), None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ChecklistError(
            [ChecklistProblem(str(path), None, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]
        ) from None
    return parse_checklist(text, str(path))


def parse_checklist(text: str, filename: str = "<checklist>") -> Checklist:
    try:
        data = load_yaml_with_lines(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = (getattr(exc, "problem", None) or str(exc)).split("\n")[0]
        raise ChecklistError(
            [ChecklistProblem(filename, mark.line + 1 if mark else None, "", f"invalid YAML: {reason}")]
        ) from None
    return checklist_from_data(data, filename)


def checklist_from_data(data, filename: str = "<stored>") -> Checklist:
    """Validate plain (or line-annotated) data and build the checklist, or raise."""
    reader = Reader(filename)
    checklist = reader.checklist(data)
    if reader.problems or checklist is None:
        raise ChecklistError(sorted(reader.problems, key=lambda p: p.line or 0))
    return checklist


def find_checklist_files(paths: list[str | Path]) -> list[Path]:
    """Expand directories into their ``*.yaml``/``*.yml`` files, sorted by name."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files
