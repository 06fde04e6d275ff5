"""Case pages arrive in phase 2 of the cases issue; the rules they call are in `rules.py`."""
from portal.cases import bp  # noqa: F401
