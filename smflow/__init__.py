"""smflow: release runbooks as code for the Azure Service Management (ASM) API."""

__version__ = "0.1.0"

__all__ = ["__version__"]
