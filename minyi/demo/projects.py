"""The demo district's projects (see minyi/projects/)."""

from __future__ import annotations

import datetime as dt
import random


def build(ref, rng: random.Random, now: dt.datetime) -> str:
    """Create the demo's projects inside load_demo's transaction; return one line for the progress."""
    return ""
