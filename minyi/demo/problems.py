"""The demo district's problems (see minyi/problems/)."""

from __future__ import annotations

import datetime as dt
import random


def build(ref, rng: random.Random, now: dt.datetime) -> str:
    """Create the demo's problems inside load_demo's transaction; return one line for the progress."""
    return ""
