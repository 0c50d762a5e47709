"""Settings a reader changes from the environment, without editing a notebook."""

from __future__ import annotations

import os
from collections.abc import Mapping

FULL_SCALE_VAR = "MODELCOLLAPSE_FULL_SCALE"


def full_scale(environ=None) -> bool:
    """Whether the notebooks run their experiments at full scale (more runs, finer grids).

    ``MODELCOLLAPSE_FULL_SCALE=1`` turns it on; unset or ``0`` keeps the sizes the book is built
    and tested with. Any other value is an error rather than a silent default.
    """
    if environ is not None and not isinstance(environ, Mapping):
        raise ValueError(f"environ must be None (os.environ) or a mapping, got {type(environ).__name__}")
    value = (os.environ if environ is None else environ).get(FULL_SCALE_VAR, "0")
    if not isinstance(value, str):
        raise ValueError(f"{FULL_SCALE_VAR} must be the string 0 or 1, got {value!r}")
    value = value.strip()
    if value not in ("0", "1"):
        raise ValueError(f"{FULL_SCALE_VAR} must be 0 or 1, got {value!r}")
    return value == "1"
