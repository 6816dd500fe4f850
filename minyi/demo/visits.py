"""The demo district's visits (see minyi/visits/)."""

from __future__ import annotations

import datetime as dt
import random


def build(ref, rng: random.Random, now: dt.datetime) -> str:
    """Create the demo's visits inside load_demo's transaction; return one line for the progress."""
    return ""
