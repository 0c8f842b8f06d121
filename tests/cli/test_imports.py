"""What each command imports: start-up is most of a small command's cost, so each command pays
only for what it uses (``smflow --version`` no catalogue, ``check`` no HTTP stack, vcrpy or
emulator, a replay no emulator).

Each command runs in a fresh interpreter through ``smflow.cli.main.main``; the names in
``sys.modules`` when it returns are compared with what that command must never import. The
command must succeed, so a test cannot pass because the command stopped early.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOW = str(ROOT / "flows" / "blue_green.flow")
CASSETTE = str(ROOT / "cassettes" / "blue_green.yaml")
PACKAGE = "package_url=https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"

# Run a command, then write the names of the imported modules (no import of our own after it).
DRIVER = """
import sys
from smflow.cli.main import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(code) + "\\n" + "\\n".join(sys.modules))
"""

# Talking to a service, recording or replaying, serving: none of it belongs to a static command.
NETWORK = {"requests", "urllib3", "ssl", "http.client", "vcr", "yaml", "sqlite3", "http.server", "socketserver",
           "smflow.emulator", "smflow.recording"}
LANGUAGE = {"lark", "smflow.dsl", "smflow.dsl.parser", "smflow.dsl.checker"}
RUNNING = {"tenacity", "lxml", "smflow.run", "smflow.run.executor"}
# Needed only on a path a given flow may never take: a mistake to name (difflib), a uuid() call
# (uuid imports platform), a retry (tenacity), a parallel for (concurrent.futures).
ON_DEMAND = {"difflib", "uuid", "platform", "tenacity", "concurrent.futures",
             "smflow.dsl.cscfg"}  # a cscfg_*() builtin call (blue_green makes none)

CASES: dict[str, tuple[list[str], set[str]]] = {
    "version": (["--version"], NETWORK | LANGUAGE | RUNNING | {"argparse", "smflow.errors", "smflow.asm.catalogue",
                                                             "smflow.asm.models", "smflow.cli.commands"}),
    "ops": (["ops"], NETWORK | LANGUAGE | RUNNING),
    "ops NAME": (["ops", "create_deployment"], NETWORK | LANGUAGE | RUNNING),
    "check": (["check", FLOW], NETWORK | RUNNING | ON_DEMAND | {"smflow.dsl.plan", "smflow.dsl.evaluate",
                                                               "smflow.graph", "json", "email.utils",
                                                               "datetime", "shutil"}),
    "plan": (["plan", FLOW, "--var", PACKAGE], NETWORK | ON_DEMAND | {"smflow.graph"}),
    "graph": (["graph", FLOW], NETWORK | RUNNING),
    "run --replay": (["run", FLOW, "--var", PACKAGE, "--replay", CASSETTE, "--yes"],
                     {"smflow.emulator", "sqlite3", "http.server", "socketserver",
                      # served at the transport seam: no HTTP stack, no vcrpy, no YAML (a JSON-shaped cassette)
                      "vcr", "requests", "urllib3", "http.client", "yaml"} | ON_DEMAND),
    # (the embedded emulator itself imports uuid)
    "run": (["run", FLOW, "--var", PACKAGE, "--yes"], {"vcr", "yaml", "smflow.recording"} | ON_DEMAND - {"uuid", "platform"}),
}


def imported_by(args: list[str], cwd: Path) -> set[str]:
    listing = cwd / "modules.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    done = subprocess.run([sys.executable, "-c", DRIVER, str(listing), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code, *modules = listing.read_text(encoding="utf-8").splitlines()
    assert code == "0", done.stdout + done.stderr
    return set(modules)


@pytest.mark.parametrize("case", list(CASES))
def test_a_command_imports_only_what_it_uses(case: str, tmp_path: Path) -> None:
    args, forbidden = CASES[case]
    modules = imported_by(args, tmp_path)
    assert "smflow.cli.main" in modules
    assert sorted(forbidden & modules) == []


def test_only_the_named_command_module_is_imported(tmp_path: Path) -> None:
    """Adding a command (one name in COMMANDS) must not slow down the others."""
    from smflow.cli.main import COMMANDS

    modules = imported_by(["ops"], tmp_path)
    assert "smflow.cli.commands.ops" in modules
    assert sorted(m for m in modules if m.startswith("smflow.cli.commands.") and m != "smflow.cli.commands.ops") == []
    assert len(COMMANDS) > 1


def test_help_still_lists_every_command(tmp_path: Path) -> None:
    from smflow.cli.main import COMMANDS

    done = subprocess.run([sys.executable, "-m", "smflow", "--help"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    for name in COMMANDS:
        assert f"    {name} " in done.stdout


def test_version_answers_as_argparse_would(tmp_path: Path) -> None:
    from smflow import __version__

    for args in (["--version"], ["--debug", "--version"]):
        done = subprocess.run([sys.executable, "-m", "smflow", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (0, f"smflow {__version__}\n", "")
