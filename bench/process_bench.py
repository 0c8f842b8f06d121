"""smflow as a whole process, as users and CI start it: CPU time and peak RSS per command,
against Python's own floor and against the same release written with Microsoft's SDK.

Run on demand: ``python bench/process_bench.py [--rounds 15]``. Prints one JSON object per line.

Every command of a group runs once per round, in a shuffled order, so that the machine's load
(shared with other users) drifts over all of them alike; each figure is the median over the
rounds of the child's own CPU time (user + system, from ``wait4``), with its interquartile
range as the noise, and ``maxrss_mb`` is the child's peak RSS. Ratios are of medians from the
same rounds; ``paired_median`` is the median of the per-round ratios. The load average is
printed before and after. Child processes run without ``PYTHONDONTWRITEBYTECODE``, after one
unmeasured warm-up round, so that they load bytecode as an installed package does.

Groups and targets (issue 14):
- ``startup``: ``python -c pass``, ``python -c "import lark"``, ``smflow --version`` (<= 3x pass),
  ``smflow ops``, ``smflow check flows/blue_green.flow`` (<= 1.5x import lark), ``smflow plan``.
- ``replay``: ``smflow run blue_green --replay cassettes/blue_green.yaml`` against
  ``bench/sdk_blue_green.py`` replaying its own cassette of the same 10 requests under vcrpy with
  ``time.sleep`` patched out (<= 1.0x).
- ``live``: the same release against one ``smflow emulator --latency 0`` process, a new service
  name per run for each side: ``smflow run --endpoint`` (journal fdatasync'd, as a live run is)
  against the SDK script (<= 1.3x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOW = str(ROOT / "flows" / "blue_green.flow")
CASSETTE = str(ROOT / "cassettes" / "blue_green.yaml")
SDK_SCRIPT = str(ROOT / "bench" / "sdk_blue_green.py")
PACKAGE = "package_url=https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"
PY = sys.executable
_script = Path(PY).parent / "smflow"
SMFLOW = [str(_script)] if _script.exists() else [PY, "-m", "smflow"]

Command = Callable[[int], list[str]]  # round number -> argv


def emit(**row: object) -> None:
    print(json.dumps(row), flush=True)


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["SMFLOW_CACHE_DIR"] = os.environ.get("SMFLOW_CACHE_DIR", str(Path.home() / ".cache" / "smflow"))
    return env


def measure(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(CPU ms, peak RSS MB) of one run of ``argv``, which must exit 0."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=child_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {err.read().decode(errors='replace')[-2000:]}")
    return (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024


def run_group(name: str, commands: dict[str, Command], rounds: int, cwd: Path) -> dict[str, list[float]]:
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[float]] = {k: [] for k in commands}
    for command in commands.values():  # warm-up: bytecode written, grammar cache filled
        measure(command(-1), cwd)
    for r in range(rounds):
        order = list(commands)
        random.shuffle(order)
        for key in order:
            ms, mb = measure(commands[key](r), cwd)
            cpu[key].append(ms)
            rss[key].append(mb)
    for key in commands:
        values = sorted(cpu[key])
        q1, _, q3 = statistics.quantiles(values, n=4)
        emit(bench=f"process_{name}", command=key, cpu_ms_median=round(statistics.median(values), 1),
             cpu_ms_iqr=round(q3 - q1, 1), cpu_ms_min=round(values[0], 1), cpu_ms_max=round(values[-1], 1),
             maxrss_mb=round(statistics.median(rss[key]), 1), rounds=rounds)
    return cpu


def ratio(name: str, cpu: dict[str, list[float]], top: str, bottom: str, target: float) -> None:
    value = statistics.median(cpu[top]) / statistics.median(cpu[bottom])
    paired = statistics.median(a / b for a, b in zip(cpu[top], cpu[bottom], strict=True))
    emit(bench=f"ratio_{name}", value=round(value, 2), unit="x", paired_median=round(paired, 2),
         of=top, to=bottom, target=target, met=value <= target)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15, help="runs of each command (default 15)")
    ap.add_argument("--groups", default="startup,replay,live", help="which groups (default: all)")
    args = ap.parse_args()
    groups = set(args.groups.split(","))
    emit(bench="machine", loadavg=[round(x, 2) for x in os.getloadavg()], cpus=os.cpu_count(), python=sys.version.split()[0])
    work = Path(tempfile.mkdtemp(prefix="smflow-process-bench-"))
    journals = str(work / "runs")
    try:
        if "startup" in groups:
            cpu = run_group("startup", {
                "python -c pass": lambda r: [PY, "-c", "pass"],
                "python -c 'import lark'": lambda r: [PY, "-c", "import lark"],
                "smflow --version": lambda r: [*SMFLOW, "--version"],
                "smflow ops": lambda r: [*SMFLOW, "ops"],
                "smflow check blue_green": lambda r: [*SMFLOW, "check", FLOW],
                "smflow plan blue_green": lambda r: [*SMFLOW, "plan", FLOW, "--var", PACKAGE],
            }, args.rounds, work)
            ratio("version_to_pass", cpu, "smflow --version", "python -c pass", 3.0)
            ratio("check_to_import_lark", cpu, "smflow check blue_green", "python -c 'import lark'", 1.5)
        if groups & {"replay", "live"}:
            emulator = subprocess.Popen([*SMFLOW, "emulator", "--latency", "0"], cwd=work, env=child_env(),
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                assert emulator.stdout is not None
                url = emulator.stdout.readline().strip()
                sdk_cassette = str(work / "sdk_blue_green.yaml")
                measure([PY, SDK_SCRIPT, "--endpoint", url, "--record", sdk_cassette], work)
                if "replay" in groups:
                    cpu = run_group("replay", {
                        "smflow run --replay": lambda r: [*SMFLOW, "run", FLOW, "--var", PACKAGE, "--replay", CASSETTE,
                                                          "--yes", "--journal-dir", journals],
                        "sdk script under vcrpy": lambda r: [PY, SDK_SCRIPT, "--endpoint", url, "--replay", sdk_cassette],
                    }, args.rounds, work)
                    ratio("replay_to_sdk", cpu, "smflow run --replay", "sdk script under vcrpy", 1.0)
                if "live" in groups:
                    cpu = run_group("live", {
                        "smflow run --endpoint": lambda r: [*SMFLOW, "run", FLOW, "--var", PACKAGE, "--var",
                                                            f"service=bench-{r + 1}-flow", "--endpoint", url,
                                                            "--emulator-latency", "0", "--yes",
                                                            "--journal-dir", journals],
                        "sdk script": lambda r: [PY, SDK_SCRIPT, "--endpoint", url, "--service", f"bench-{r + 1}-sdk"],
                    }, args.rounds, work)
                    ratio("live_to_sdk", cpu, "smflow run --endpoint", "sdk script", 1.3)
            finally:
                emulator.terminate()
                emulator.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    emit(bench="machine_after", loadavg=[round(x, 2) for x in os.getloadavg()])


if __name__ == "__main__":
    main()
