"""The one clock of minyi.

Services ask `clock.now()` instead of `timezone.now()`, so tests, the demo generator and
what-if tools can set the time. Production never sets it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from django.utils import timezone

_state = threading.local()


def now() -> dt.datetime:
    fixed = getattr(_state, "fixed", None)
    return fixed if fixed is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Within the block, `now()` returns `moment` (for this thread)."""
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    previous = getattr(_state, "fixed", None)
    _state.fixed = moment
    try:
        yield
    finally:
        _state.fixed = previous


def set_now(moment: dt.datetime | None) -> None:
    """Fix the time for this thread (None releases it). Prefer `frozen_at` where a block fits."""
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("set_now needs an aware datetime")
    _state.fixed = moment


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def today() -> dt.date:
    """The local date now (Beijing time by default): the day deadlines, due days and periods count in."""
    return local(now()).date()
