"""chainrule.nn (functional for now)."""
from . import functional  # noqa: F401
