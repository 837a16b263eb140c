"""YAML loading that remembers on which line every key and list entry stands.

Validation errors must name the file *and line*, so mappings become :class:`LineDict` and
sequences :class:`LineList`. We parse with ruamel.yaml (YAML 1.2) rather than PyYAML
(YAML 1.1) for two reasons a checklist author would trip over: in YAML 1.1 an answer value
such as ``yes`` or an option id ``no`` silently turns into a boolean, and PyYAML rejects a
question mark inside a flow mapping, as in ``text: {en: Were you greeted?}``.
"""
from __future__ import annotations

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

__all__ = ["LineDict", "LineList", "YAMLError", "MarkedYAMLError", "load_yaml_with_lines", "line_of",
           "double_quoted_texts"]


class LineDict(dict):
    """A mapping with ``line`` (its own first line) and ``lines`` (line of each key)."""

    def __init__(self, line: int | None) -> None:
        super().__init__()
        self.line = line
        self.lines: dict = {}


class LineList(list):
    """A sequence with ``line`` and ``lines`` (line of each entry)."""

    def __init__(self, line: int | None) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int | None] = []


def load_yaml_with_lines(text: str):
    """Parse one YAML document into plain values with line numbers (1-based).

    Raises ``YAMLError`` (usually a ``MarkedYAMLError`` with ``problem_mark``), also for a
    key given twice in one mapping.
    """
    try:
        return _plain(YAML(typ="rt", pure=True).load(text), _Budget())
    except YAMLError:
        raise
    except RecursionError:  # "[[[[…" thousands deep, in ruamel's own composer
        raise TooBig(f"nested more than {MAX_DEPTH} levels deep") from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError):
        # What ruamel keeps as objects of its own, without the line marks a checklist needs.
        raise Unsupported("YAML features a checklist does not use: tags (!!omap, !!python/…, !name) or merge "
                          "keys (<<: *anchor); write the values out") from None


def double_quoted_texts(text: str) -> list[tuple[int, int]]:
    """(first line, last line), 0-based, of each text in double quotes the YAML reader reads
    before the first problem of ``text`` (where a quote left open is taken to run)."""
    spans = []
    try:
        for token in YAML(typ="rt", pure=True).scan(text):
            if getattr(token, "style", None) == '"':
                spans.append((token.start_mark.line, token.end_mark.line))
    except YAMLError:
        pass
    return spans


#: Far beyond any checklist (the largest example has about 1,500 values), small enough that a
#: file whose aliases repeat a list within a list (``&a [*b, *b, …]``) cannot take the server's
#: memory, and one that contains itself (``&a [*a]``) is refused rather than recursing forever.
MAX_VALUES, MAX_DEPTH = 100_000, 40


class TooBig(YAMLError):
    """The document expands to more values, or nests deeper, than a checklist can."""


class Unsupported(YAMLError):
    """YAML a checklist file has no use for (tags, merge keys)."""


class _Budget:
    def __init__(self) -> None:
        self.values = 0

    def spend(self, depth: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise TooBig(f"more than {MAX_VALUES:,} values (YAML aliases that repeat lists?)")
        if depth > MAX_DEPTH:
            raise TooBig(f"nested more than {MAX_DEPTH} levels deep (a YAML alias that contains itself?)")


def _plain(node, budget: _Budget, depth: int = 0):
    budget.spend(depth)
    if isinstance(node, CommentedMap):
        result = LineDict(node.lc.line + 1)
        for key, value in node.items():
            plain_key = _scalar(key)
            result[plain_key] = _plain(value, budget, depth + 1)
            result.lines[plain_key] = node.lc.key(key)[0] + 1
        return result
    if isinstance(node, CommentedSeq):
        result = LineList(node.lc.line + 1)
        for index, value in enumerate(node):
            result.append(_plain(value, budget, depth + 1))
            result.lines.append(node.lc.item(index)[0] + 1)
        return result
    return _scalar(node)


def _scalar(value):
    """ruamel's round-trip scalar subclasses → plain Python values."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value).__name__ == "ScalarBoolean":
        return bool(value)
    for plain in (str, float, int):
        if isinstance(value, plain):
            return plain(value)
    return value


def line_of(container, key, default: int | None = None) -> int | None:
    """The line of ``container[key]`` if known, else the container's own line."""
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict) and key in lines:
        return lines[key]
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return getattr(container, "line", default)
