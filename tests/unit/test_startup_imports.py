"""Every ``audit`` command and web process builds the app; scipy (most of a second to load),
WeasyPrint and openpyxl must wait until a statistic, a PDF or a workbook is made, so that
``audit --help``, ``init-db`` and ``make run`` start fast."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("scipy", "weasyprint", "openpyxl")

PROBE = """
import sys
from audit.cli import main
sys.argv = ["audit", "--help"]
try:
    main()
except SystemExit:
    pass
heavy = {heavy!r}
print("loaded:", ",".join(sorted({{name.split(".")[0] for name in sys.modules}} & set(heavy))) or "-")
from audit.stats import location_statistics
figures = location_statistics([70.0, 80.0, 90.0, 60.0], [0, 0, 1, 1])
print("after a statistic:", "scipy" in sys.modules, round(float(figures.ci_low[0]), 1))
""".format(heavy=HEAVY)


def test_the_command_line_starts_without_loading_scipy_or_the_report_libraries(tmp_path):
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "AUDIT_INSTANCE_PATH": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert "Mystery-shopping and service-consistency audits." in run.stdout  # the help was printed
    assert lines[-2] == "loaded: -"
    # The statistics still work, loading scipy when needed: s_w² = (50 + 450) / 2 = 250, so
    # 75 ± t(0.975, 2)·15.81/√2 = 75 ± 48.1.
    assert lines[-1] == "after a statistic: True 26.9"
