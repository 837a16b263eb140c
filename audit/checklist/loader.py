"""Read checklist files into :class:`Checklist` values, reporting every problem precisely.

Each problem names the file, the line and the path of the field
(``checklists/store.yaml:42: sections[2].items[3].weight: must be greater than 0``).
Loading is all-or-nothing: a file with any problem raises :class:`ChecklistError`.
"""
from __future__ import annotations

import re
from pathlib import Path

from .model import Checklist
from .reader import ChecklistProblem, Reader
from .yaml_lines import YAMLError, double_quoted_texts, line_of, load_yaml_with_lines

TAB_HINT = "a tab character: indent with spaces only"
QUOTE_LEFT_OPEN = "a text in quotes opened on this line has no closing quote"

#: What the YAML parser's commonest complaints mean for someone writing a checklist.
YAML_HINTS = (
    ("mapping values are not allowed here",
     "a colon followed by a space inside a text (put the whole text in quotes: en: \"Name: as on the badge\"), "
     "or a line indented deeper than the key above it"),
    ("found character '\\t' that cannot start any token", TAB_HINT),
    ("expected <block end>", "the indentation does not match the lines above: align this line with the "
                             "other keys at its level, using spaces"),
    ("could not find expected ':'", "a line that is not 'key: value' (a missing colon, or a text that goes on "
                                    "to the next line without quotes)"),
)

#: Where the YAML reader found a bracket or quote unclosed (its "context"): the line that opened it is
#: named, not the later line where the reader noticed (the next key's colon, or the end of the file).
YAML_OPENED = (
    ("while parsing a flow sequence", "a list in square brackets [ opened on this line is not closed with ]"),
    ("while parsing a flow mapping", "a mapping in braces { opened on this line is not closed with }"),
    ("while scanning a quoted scalar", QUOTE_LEFT_OPEN),
)


#: A line that starts like a key or a list entry ("ru: …", "type: yes_no", "- id: …").
KEY_LIKE = re.compile(r"^\s*(?:- +)?[A-Za-z_][\w-]*:(?:\s|$)")


def _quote_left_open(text: str, problem_line: int) -> int | None:
    """The line (1-based) of a quote left open before ``problem_line`` (0-based): a text in
    double quotes that runs on over lines looking like keys. The YAML reader takes the next
    quote, maybe many lines further, for its end and stumbles only somewhere after it ("mapping
    values are not allowed here" 64 lines below the open quote)."""
    lines = text.splitlines()
    for first, last in double_quoted_texts(text):
        if first < last and first < problem_line and any(KEY_LIKE.match(line) for line in lines[first + 1:last + 1]):
            return first + 1
    return None


def _tab_indented_line(text: str, problem_index: int) -> int | None:
    """The line (1-based) of the problem's line or the one above it whose indentation holds a tab.
    The YAML reader often stumbles only on the line after the tab ("mapping values are not allowed
    here"), and its own words then send the author looking for a stray colon."""
    lines = text.splitlines()
    for index in (problem_index, problem_index - 1):
        if 0 <= index < len(lines) and "\t" in lines[index][:len(lines[index]) - len(lines[index].lstrip())]:
            return index + 1
    return None


def undecodable_line(raw: bytes) -> int | None:
    """The line of the first byte of ``raw`` that is not UTF-8 (a file saved as cp1257), or None."""
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return raw[:exc.start].count(b"\n") + 1
    return None


class ChecklistError(Exception):
    """A checklist file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[ChecklistProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_checklist_file(path: str | Path) -> Checklist:
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ChecklistError([ChecklistProblem(str(path), None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ChecklistError([ChecklistProblem(
            str(path), undecodable_line(raw), "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]) from None
    return parse_checklist(text, str(path))


def parse_checklist(text: str, filename: str = "<checklist>") -> Checklist:
    try:
        data = load_yaml_with_lines(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = (getattr(exc, "problem", None) or str(exc)).split("\n")[0]
        hint = next((words for start, words in YAML_HINTS if reason.startswith(start)), None)
        message = f"{hint} (YAML: {reason})" if hint else f"invalid YAML: {reason}"
        opened, context = getattr(exc, "context_mark", None), getattr(exc, "context", None) or ""
        unclosed = next((words for start, words in YAML_OPENED if context.startswith(start)), None)
        line = mark.line + 1 if mark else None
        if unclosed and opened and mark and opened.line != mark.line:
            message = f"{unclosed} (YAML: {reason}, line {mark.line + 1})"
            line = opened.line + 1
        elif mark and (opened_quote := _quote_left_open(text, mark.line)) is not None:
            message, line = f"{QUOTE_LEFT_OPEN} (YAML: {reason}, line {mark.line + 1})", opened_quote
        elif mark and (tabbed := _tab_indented_line(text, mark.line)) is not None:
            message, line = f"{TAB_HINT} (YAML: {reason})", tabbed
        elif twice := re.match(r'found duplicate key "(.+?)"', reason):
            message = f"the key '{twice[1]}' is written twice at the same level: keep one (YAML: {reason})"
        raise ChecklistError([ChecklistProblem(filename, line, "", message)]) from None
    return checklist_from_data(data, filename, authoring=True)


def checklist_from_data(data, filename: str = "<stored>", authoring: bool = False) -> Checklist:
    """Validate plain (or line-annotated) data and build the checklist, or raise. ``authoring``
    adds the rules for files being written (a stored version made before a rule still reads)."""
    reader = Reader(filename, authoring)
    checklist = reader.checklist(data)
    if checklist is None and not reader.problems:  # never "not loaded" without a reason
        reader.problems.append(ChecklistProblem(filename, None, "", "the checklist could not be read"))
    if reader.problems or checklist is None:
        raise ChecklistError(sorted(reader.problems, key=lambda p: p.line or 0))
    return checklist


def load_checklist_set(paths: list[str | Path]) -> tuple[list[tuple[Path, Checklist]], list[ChecklistError]]:
    """Every checklist file under ``paths`` read, and the problems. Files that share a checklist
    id are all refused: each would otherwise store a new version over the other on every load,
    and which one counts would depend on the order of file names."""
    loaded: list[tuple[Path, Checklist]] = []
    errors: list[ChecklistError] = []
    for path in find_checklist_files(paths):
        try:
            loaded.append((path, load_checklist_file(path)))
        except ChecklistError as exc:
            errors.append(exc)
    files_of: dict[str, list[Path]] = {}
    for path, checklist in loaded:
        files_of.setdefault(checklist.id, []).append(path)
    shared = {key: files for key, files in files_of.items() if len(files) > 1}
    for key, files in shared.items():
        for path in files:
            others = ", ".join(str(other) for other in files if other != path)
            errors.append(ChecklistError([ChecklistProblem(
                str(path), _id_line(path), "id", f"'{key}' is also the id of {others}; give each checklist its own id")]))
    return [(path, checklist) for path, checklist in loaded if checklist.id not in shared], errors


def _id_line(path: Path) -> int | None:
    """The line of the top-level ``id:`` of a file that has read without problems."""
    return line_of(load_yaml_with_lines(path.read_text(encoding="utf-8")), "id")


def find_checklist_files(paths: list[str | Path]) -> list[Path]:
    """Expand directories into their ``*.yaml``/``*.yml`` files, sorted by name."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    seen: set[Path] = set()  # a file named twice (a folder and one of its files) is read once
    return [path for path in files if not (path.resolve() in seen or seen.add(path.resolve()))]
