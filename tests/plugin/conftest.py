"""pytester runs pytest sessions of a user's repo, in-process, with the smflow plugin loaded
from its pytest11 entry point (as it is wherever smflow is installed)."""

pytest_plugins = ["pytester"]
