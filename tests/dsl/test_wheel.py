"""An installed smflow finds its grammar inside the package, not in a checkout.

Builds the wheel (no network: the build backend comes from the system, ``--no-build-isolation``),
installs it into a fresh venv that borrows the running environment's dependencies (a ``.pth``
file naming this interpreter's site-packages, which works whether the tests run in the system
Python or in CI's own venv, and does not pull in the editable checkout: a path added by a ``.pth``
is not a site dir, so its own ``.pth`` files are not read), and runs ``smflow check`` on a flow
in a directory that is not the checkout. It holds whatever the running environment has installed
(a plain ``pip install .`` of an older smflow included).
"""

from __future__ import annotations

import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOW = 'flow w "installed"\nparam service = "svc"\nstep "s" {\n    get_hosted_service_properties(service_name: service)\n}\n'


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_installed_wheel_checks_a_flow_from_another_directory(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--no-build-isolation", "-w", wheels, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("smflow-*.whl")
    venv = tmp_path / "venv"
    made = run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    venv_site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).stdout.strip()
    borrowed = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), *site.getsitepackages()])
    (Path(venv_site) / "borrowed-deps.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    # --ignore-installed: the borrowed site-packages may already hold an smflow (a plain
    # 'pip install .' before the test extras); pip would call the wheel "already satisfied" there
    # and install nothing into this venv.
    installed = run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", wheel,
                    cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "w.flow").write_text(FLOW, encoding="utf-8")
    where = run(python, "-c", "import smflow, importlib.resources as r; print(smflow.__file__); "
                "print(r.files('smflow').joinpath('grammar/smflow.lark').is_file())", cwd=elsewhere)
    package_file, grammar_inside = where.stdout.split()
    assert Path(package_file).is_relative_to(venv), "the venv must import the installed wheel, not the checkout"
    assert grammar_inside == "True"

    checked = run(venv / "bin" / "smflow", "check", "--strict", "w.flow", cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    (elsewhere / "bad.flow").write_text(FLOW.replace("get_hosted", "gett_hosted"), encoding="utf-8")
    failed = run(venv / "bin" / "smflow", "check", "bad.flow", cwd=elsewhere)
    assert failed.returncode == 2
    assert "error[UnknownOperation]" in failed.stderr
