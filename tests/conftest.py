import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # tests import their helpers (parity, notebook_runner) by name

from ops.listed_ops import LISTED_OPS  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    """The op parity report: ops whose every test passed / ops tested (ids look like 'op:case')."""
    ops = {}
    for status in ("passed", "failed", "error"):
        for rep in terminalreporter.stats.get(status, []):
            if rep.when != "call" and status == "passed":
                continue
            nodeid = rep.nodeid
            if "/ops/" not in nodeid.replace("\\", "/") or "[" not in nodeid:
                continue
            param = nodeid.rsplit("[", 1)[1].rstrip("]")
            if ":" not in param:
                continue
            op = param.split(":", 1)[0]
            ops[op] = ops.get(op, True) and status == "passed"
    if ops:
        good = sorted(o for o, ok in ops.items() if ok)
        bad = sorted(o for o, ok in ops.items() if not ok)
        terminalreporter.write_line(f"op parity: {len(good)}/{len(ops)} ops pass")
        if bad:
            terminalreporter.write_line("failing ops: " + ", ".join(bad))
        listed = {op for names in LISTED_OPS.values() for op in names}
        untested = sorted(listed - ops.keys())
        passing = len(listed & set(good))
        if len(untested) > 20:  # a partial run
            note = f"; {len(untested)} not run (run all of tests/ops for the full report)"
        else:
            note = f"; not run: {', '.join(untested)}" if untested else ""
        terminalreporter.write_line(f"ops listed in issue 3: {passing}/{len(listed)} pass{note}")
