"""``python -m smflow``."""

from smflow.cli.main import entry

if __name__ == "__main__":
    entry()
