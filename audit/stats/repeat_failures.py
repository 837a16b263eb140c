"""Repeat failures: items a location failed again and again in its most recent visits.

For each (item, location): look at the location's last ``last_n`` visits (default 3) and
count the answers of that item scoring below the pass mark (0.5, as ``PASS_SCORE``). Two or
more failures (``min_failures``) flag the pair. The window is the location's last visits, not
the item's last answers: an item that was N/A in one of those visits simply had one chance
less to fail. A visit belongs to the location's visits if any of its rows is passed in, so
pass N/A answers as NaN rows rather than dropping them.

Visit order is ``visit_order`` (any sortable number, e.g. ``visited_at`` as a Unix time or
an ordinal), ties broken by ``visit_id``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checklist.model import PASS_SCORE
from ._arrays import StatsInputError, check_same_length, group_count, index_array, readonly, score_array

DEFAULT_LAST_VISITS = 3
DEFAULT_MIN_FAILURES = 2


@dataclass(frozen=True, eq=False)
class RepeatFailures:
    """(item, location) tables over each location's last ``last_n`` visits."""

    failures: np.ndarray
    answers: np.ndarray
    flagged: np.ndarray
    last_n: int
    min_failures: int

    def flagged_pairs(self) -> list[tuple[int, int]]:
        """(item, location) code pairs with a repeat failure, item by item."""
        return [(item, location) for item, location in np.argwhere(self.flagged).tolist()]


def repeat_failures(scores, item_index, location_index, visit_id, visit_order,
                    n_items: int | None = None, n_locations: int | None = None,
                    last_n: int = DEFAULT_LAST_VISITS, min_failures: int = DEFAULT_MIN_FAILURES,
                    pass_mark: float = PASS_SCORE) -> RepeatFailures:
    """Flag items failed at least ``min_failures`` times in a location's last ``last_n`` visits.

    One row per (visit, item): score on 0–1 or NaN, item code, location code, visit id
    (any integers) and visit order (larger = later).
    """
    if last_n < 1 or min_failures < 1:
        raise StatsInputError(f"last_n and min_failures must be ≥ 1, got {last_n} and {min_failures}")
    scores = score_array(scores, "scores")
    item_index = index_array(item_index, "item_index")
    location_index = index_array(location_index, "location_index")
    visit_id = np.asarray(visit_id)
    visit_order = np.asarray(visit_order)
    check_same_length(scores=scores, item_index=item_index, location_index=location_index,
                      visit_id=visit_id, visit_order=visit_order)
    n_items = group_count(item_index, n_items, "n_items")
    n_locations = group_count(location_index, n_locations, "n_locations")
    item_index = index_array(item_index, "item_index", n_items, "n_items")
    location_index = index_array(location_index, "location_index", n_locations, "n_locations")

    in_window = _in_last_visits(location_index, visit_id, visit_order, last_n)
    answered = in_window & ~np.isnan(scores)
    failed = answered & (np.nan_to_num(scores, nan=1.0) < pass_mark)
    cell = item_index * n_locations + location_index
    size = n_items * n_locations
    failures = np.bincount(cell[failed], minlength=size).reshape(n_items, n_locations)
    answers = np.bincount(cell[answered], minlength=size).reshape(n_items, n_locations)
    return RepeatFailures(readonly(failures), readonly(answers), readonly(failures >= min_failures),
                          last_n, min_failures)


def repeat_failures_from_counts(failures, answers, last_n: int = DEFAULT_LAST_VISITS,
                                min_failures: int = DEFAULT_MIN_FAILURES) -> RepeatFailures:
    """:func:`repeat_failures` from (item × location) counts over each location's last
    ``last_n`` visits, e.g. a SQL ``GROUP BY`` over those visits' answers: the number of
    answers that failed and the number that were scored."""
    if last_n < 1 or min_failures < 1:
        raise StatsInputError(f"last_n and min_failures must be ≥ 1, got {last_n} and {min_failures}")
    failures, answers = np.asarray(failures), np.asarray(answers)
    if failures.ndim != 2 or failures.shape != answers.shape:
        raise StatsInputError(f"failures and answers must be (item × location) tables of one shape, got "
                              f"{failures.shape} and {answers.shape}")
    if np.any(failures < 0) or np.any(failures > answers):
        raise StatsInputError("failures must lie between 0 and the number of answers of the same cell")
    failures, answers = failures.astype(np.int64), answers.astype(np.int64)
    return RepeatFailures(readonly(failures), readonly(answers), readonly(failures >= min_failures),
                          last_n, min_failures)


def _in_last_visits(location_index: np.ndarray, visit_id: np.ndarray, visit_order: np.ndarray,
                    last_n: int) -> np.ndarray:
    """Per row: does its visit belong to its location's ``last_n`` latest visits?"""
    if location_index.size == 0:
        return np.zeros(0, dtype=bool)
    # One entry per distinct visit, then rank the visits of each location from the newest.
    visits, first_row, row_visit = np.unique(visit_id, return_index=True, return_inverse=True)
    row_visit = row_visit.reshape(-1)
    visit_location = location_index[first_row]
    visit_when = visit_order[first_row]
    if np.any(location_index != visit_location[row_visit]):
        raise StatsInputError("a visit_id appears with two different location codes; each visit has one location")
    order = np.lexsort((visits, visit_when, visit_location))  # by location, then time, then id
    sorted_location = visit_location[order]
    group_end = np.searchsorted(sorted_location, sorted_location, side="right")
    rank_from_newest = np.empty(len(visits), dtype=np.int64)
    rank_from_newest[order] = group_end - np.arange(len(visits)) - 1
    return rank_from_newest[row_visit] < last_n
