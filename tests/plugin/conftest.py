"""pytester runs pytest sessions of a user's repo, in-process, with the smflow plugin loaded
from its pytest11 entry point (as it is wherever smflow is installed).

``pytest_plugins = ["pytester"]`` is refused in a conftest below the rootdir, so pytester is
registered here when this directory's tests are collected (its fixtures are only ever used here).
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
