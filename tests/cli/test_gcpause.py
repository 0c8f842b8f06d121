"""Cycle collection held back during a command's start-up (smflow.gcpause), and only there.

Each case runs in a fresh interpreter: the collector's state is process-wide, and the pause is
the process entry point's (``entry``), never an in-process ``main()``'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOW = str(ROOT / "flows" / "blue_green.flow")
PACKAGE = "package_url=https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"

# Count the collections of each generation from the pause on, then report them with the
# thresholds in force at exit (the command's exit goes through SystemExit, as from the shell).
DRIVER = """
import gc, json, sys
counts = [0, 0, 0]
gc.callbacks.append(lambda phase, info: phase == "start" and counts.__setitem__(info["generation"], counts[info["generation"]] + 1))
import smflow.gcpause
pause = smflow.gcpause.pause
def counted_pause():  # count from the pause on (importing smflow.cli.main may collect, before it)
    pause()
    counts[:] = [0, 0, 0]
smflow.gcpause.pause = counted_pause
sys.argv = ["smflow", *sys.argv[1:]]
from smflow.cli.main import entry
try:
    entry()
except SystemExit as exc:
    code = exc.code
print("RESULT " + json.dumps([code, counts, list(gc.get_threshold()), gc.get_freeze_count() > 0]))
"""


def drive(*args: str, cwd: Path) -> tuple[int, list[int], list[int], bool]:
    done = subprocess.run([sys.executable, "-c", DRIVER, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    code, counts, thresholds, frozen = json.loads(line.removeprefix("RESULT "))
    return code, counts, thresholds, frozen


def test_a_check_starts_without_a_single_collection(tmp_path: Path) -> None:
    code, counts, thresholds, frozen = drive("check", FLOW, cwd=tmp_path)
    assert code == 0
    assert counts == [0, 0, 0]
    assert thresholds[0] > 700 and not frozen  # a check is all start-up: never resumed


def test_a_run_resumes_collection_with_the_thresholds_it_found(tmp_path: Path) -> None:
    code, _, thresholds, frozen = drive("run", FLOW, "--var", PACKAGE, "--yes", "--emulator-latency", "0",
                                        "--journal-dir", str(tmp_path / "runs"), cwd=tmp_path)
    assert code == 0
    assert thresholds == [700, 10, 10]  # CPython's defaults, as the run found them
    assert frozen


def test_main_called_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    script = ("import gc, sys; from smflow.cli.main import main; before = gc.get_threshold(); "
              f"code = main(['check', {FLOW!r}]); print('RESULT', code, before == gc.get_threshold(), gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "RESULT 0 True 0", done.stderr
