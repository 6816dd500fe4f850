"""Actors that are not staff users: a citizen proven by query code, and minyi itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from minyi.cases.workflow import CITIZEN, SYSTEM


@dataclass(frozen=True)
class Citizen:
    """The requester of one case, who proved it with the tracking number and query code."""

    case_id: int | None = None
    role = CITIZEN
    label = _("Citizen")  # 群众


@dataclass(frozen=True)
class System:
    role = SYSTEM
    label = _("System")  # 系统


SYSTEM_ACTOR = System()
