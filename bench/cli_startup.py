"""How long the ``audit`` command takes to start: ``audit --help`` builds the app (config,
extensions, blueprints, CLI commands) and exits, so it is the fixed cost of every command
(``init-db``, ``load-checklists``, ``demo``, ``report …``) and of ``make run``.

    .venv/bin/python bench/cli_startup.py [--rounds 9] [--root PATH]

``--root`` measures another checkout (e.g. a ``git worktree`` of an older commit) with this
virtualenv, for a before/after comparison. Prints medians; bare ``python -c pass`` and
``import scipy.stats`` are printed as yardsticks.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP = "import sys; sys.argv = ['audit', '--help']; from audit.cli import main; main()"


def median_seconds(code: str, root: Path, rounds: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(root), "AUDIT_INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-cli-")}
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    bare = median_seconds("pass", args.root, args.rounds)
    scipy_stats = median_seconds("import scipy.stats", args.root, args.rounds)
    startup = median_seconds(HELP, args.root, args.rounds)
    print(f"checkout: {args.root}")
    print(f"audit --help: {startup:.2f} s (median of {args.rounds}); python alone {bare:.2f} s; "
          f"python + import scipy.stats {scipy_stats:.2f} s")


if __name__ == "__main__":
    main()
