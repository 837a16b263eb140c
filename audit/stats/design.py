"""Can the visit design separate auditors from locations?

Draw a bipartite graph: one node per location, one per auditor, an edge for every pair with
at least one visit. Auditor and location effects can be told apart only within a connected
part of that graph. If region A's auditors only ever visit region A's locations, and region
B's only B's, then "A scores higher" may mean A's locations are better or A's auditors are
more lenient, and no statistics can say which. The fix is a design one: let some auditors
visit locations in both parts.
"""
from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

from ._arrays import check_same_length, group_count, index_array, readonly


@dataclass(frozen=True, eq=False)
class DesignConnectivity:
    """Connected parts of the location–auditor graph (only locations/auditors with visits)."""

    connected: bool
    n_components: int
    #: Component number of each location, −1 for locations without visits.
    location_component: np.ndarray
    #: Component number of each auditor, −1 for auditors without visits.
    auditor_component: np.ndarray


def design_connectivity(location_index, auditor_index, n_locations: int | None = None,
                        n_auditors: int | None = None) -> DesignConnectivity:
    """Connectivity of the design given one location and auditor code per visit."""
    location_index = index_array(location_index, "location_index")
    auditor_index = index_array(auditor_index, "auditor_index")
    check_same_length(location_index=location_index, auditor_index=auditor_index)
    n_locations = group_count(location_index, n_locations, "n_locations")
    n_auditors = group_count(auditor_index, n_auditors, "n_auditors")
    location_index = index_array(location_index, "location_index", n_locations, "n_locations")
    auditor_index = index_array(auditor_index, "auditor_index", n_auditors, "n_auditors")
    return connectivity_from_counts(visit_count_table(location_index, auditor_index, n_locations, n_auditors))


def visit_count_table(location_index: np.ndarray, auditor_index: np.ndarray, n_locations: int,
                      n_auditors: int) -> sparse.csr_matrix:
    """Sparse (location × auditor) table of visit counts from validated code arrays."""
    from scipy import sparse  # on first use: see audit/stats/__init__.py
    ones = np.ones(len(location_index))
    return sparse.coo_matrix((ones, (location_index, auditor_index)), shape=(n_locations, n_auditors)).tocsr()


def connectivity_from_counts(counts: sparse.spmatrix) -> DesignConnectivity:
    """Connectivity from a (location × auditor) count table."""
    from scipy import sparse  # on first use: see audit/stats/__init__.py
    from scipy.sparse.csgraph import connected_components
    n_locations, n_auditors = counts.shape
    adjacency = sparse.bmat([[sparse.csr_matrix((n_locations, n_locations)), counts],
                             [counts.T, sparse.csr_matrix((n_auditors, n_auditors))]]).tocsr()
    _, labels = connected_components(adjacency, directed=False)
    active = np.concatenate([np.asarray(counts.sum(axis=1)).ravel() > 0,
                             np.asarray(counts.sum(axis=0)).ravel() > 0])
    # Renumber the components that hold visits 0 … c − 1; nodes without visits get −1.
    kept = np.unique(labels[active])
    numbered = np.where(active, np.searchsorted(kept, labels), -1)
    return DesignConnectivity(
        connected=len(kept) <= 1,
        n_components=len(kept),
        location_component=readonly(numbered[:n_locations]),
        auditor_component=readonly(numbered[n_locations:]),
    )
