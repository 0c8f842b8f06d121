"""``smflow lsp`` on the command line, where pygls is missing."""

from __future__ import annotations

import subprocess
import sys


def test_without_pygls_it_says_how_to_install_it() -> None:
    code = "import sys; sys.modules['pygls'] = None; from smflow.cli.main import main; sys.exit(main(['lsp']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("smflow lsp: the language server needs pygls; install it with: "
                                   "pip install 'smflow[lsp]'")
