"""Checks and conversions shared by the statistics modules.

Inputs arrive from SQL aggregates as numpy arrays (or anything ``numpy.asarray`` accepts).
Bad input raises :class:`StatsInputError` with a message that names the argument and the
fix, never a bare numpy traceback. Results go back as read-only arrays; ``records`` turns
columns into plain dicts (NaN becomes ``None``) for the report layer.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np


class StatsInputError(ValueError):
    """Arrays a caller can fix: the message names the argument and what is wrong with it."""


def index_array(values, name: str, size: int | None = None, size_name: str = "") -> np.ndarray:
    """``values`` as a 1-D int64 array of codes ``0 … size − 1``."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise StatsInputError(f"{name} must be a 1-D array of integer codes, got shape {array.shape}")
    if array.size == 0:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        if not np.issubdtype(array.dtype, np.floating) or not np.all(np.isfinite(array)) \
                or not np.all(array == np.round(array)):
            raise StatsInputError(
                f"{name} must hold integer codes (0, 1, 2 …); map ids to codes with numpy.unique(…, "
                f"return_inverse=True) and drop rows without a code"
            )
    array = array.astype(np.int64)
    if array.min() < 0:
        raise StatsInputError(f"{name} holds the negative code {array.min()}; codes start at 0")
    if size is not None and array.max() >= size:
        raise StatsInputError(
            f"{name} holds the code {array.max()} but {size_name or 'the size'} is {size}; "
            f"pass a larger {size_name or 'size'} or fix the codes"
        )
    return array


def score_array(values, name: str) -> np.ndarray:
    """``values`` as a 1-D float64 array; NaN marks a missing score."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsInputError(f"{name} must be numbers (use NaN for a missing score): {error}") from None
    if array.ndim != 1:
        raise StatsInputError(f"{name} must be a 1-D array, got shape {array.shape}")
    if np.any(np.isinf(array)):
        raise StatsInputError(f"{name} holds an infinite value; scores must be finite or NaN")
    return array


def check_same_length(**arrays: np.ndarray) -> int:
    """The common length of ``arrays``; raises naming the arrays that disagree."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise StatsInputError(f"the arrays must have one entry per row; their lengths differ: {listed}")
    return next(iter(lengths.values()), 0)


def group_count(index: np.ndarray, given: int | None, name: str) -> int:
    """``given`` when the caller knows the number of groups, else the largest code + 1."""
    if given is not None:
        if given < 0:
            raise StatsInputError(f"{name} must be ≥ 0, got {given}")
        return int(given)
    return int(index.max()) + 1 if index.size else 0


def readonly(array) -> np.ndarray:
    """``array`` as a numpy array nobody can change in place (results are shared values)."""
    array = np.array(array)  # a copy, so the caller's buffer stays writable
    array.flags.writeable = False
    return array


def records(columns: Mapping[str, np.ndarray]) -> list[dict]:
    """Columns of equal length as a list of plain dicts; NaN becomes ``None``."""
    names = list(columns)
    lists = [np.asarray(columns[name]).tolist() for name in names]
    rows = []
    for values in zip(*lists):
        rows.append({
            name: None if isinstance(value, float) and value != value else value
            for name, value in zip(names, values)
        })
    return rows
