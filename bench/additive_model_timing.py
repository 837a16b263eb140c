"""Hand-run timing of the additive model at the size the brief asks for (not a test).

    .venv/bin/python bench/additive_model_timing.py [--visits 100000] [--locations 500] [--auditors 50]

Prints the best and median wall time of :func:`fit_additive_model` and of the whole
:func:`chain_consistency` (fit + ICC(1) + variance components) on simulated scores.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from audit.stats.additive import fit_additive_model
from audit.stats.consistency import chain_consistency


def simulated_visits(n_visits: int, n_locations: int, n_auditors: int, seed: int = 1):
    """Scores = 75 + location (SD 6) + auditor (SD 4) + noise (SD 10), clipped to 0–100."""
    rng = np.random.default_rng(seed)
    location = rng.integers(n_locations, size=n_visits)
    auditor = rng.integers(n_auditors, size=n_visits)
    scores = 75 + rng.normal(0, 6, n_locations)[location] + rng.normal(0, 4, n_auditors)[auditor] \
        + rng.normal(0, 10, n_visits)
    return np.clip(scores, 0, 100), location, auditor


def _timings(function, repeats: int) -> list[float]:
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=500)
    parser.add_argument("--auditors", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    scores, location, auditor = simulated_visits(args.visits, args.locations, args.auditors)
    for name, function in (
        ("fit_additive_model", lambda: fit_additive_model(scores, location, auditor)),
        ("chain_consistency", lambda: chain_consistency(scores, location, auditor)),
    ):
        seconds = _timings(function, args.repeats)
        print(f"{name}: {args.locations} locations × {args.auditors} auditors × {args.visits} visits: "
              f"best {min(seconds) * 1000:.1f} ms, median {float(np.median(seconds)) * 1000:.1f} ms "
              f"({args.repeats} runs)")


if __name__ == "__main__":
    main()
