"""Who is calling: an API key given as `api_key` (Open311's way), or the public.

Writes need a key. Reads with a key cover the cases the key's account may see (access module);
reads without a key are answered only when MINYI_OPEN311_PUBLIC_READ is on, and then cover only the
cases that could hang on a notice board: not confidential (保密, which every 举报 is) and not filed
under a category that is hidden from the public.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.access.principals import SYSTEM_ACTOR
from minyi.api import keys
from minyi.api.models import ApiKey
from minyi.cases.models import Case
from minyi.core.errors import NotFound, NotPermitted
from minyi.open311.catalog import public_services
from minyi.open311.params import Params


def key_or_none(params: Params) -> ApiKey | None:
    """The key given, None when none is given; a wrong or revoked key is refused, never ignored."""
    raw = params.get("api_key")
    if raw is None:
        return None
    key = keys.authenticate(raw)
    if key is None or not key.user.is_active:
        raise NotPermitted(_("This api_key is unknown or revoked: check it, or ask for a new one."))
    return key


def writer(params: Params) -> ApiKey:
    key = key_or_none(params)
    if key is None:
        raise NotPermitted(_("api_key is required to post."))
    return key


def readable_cases(params: Params) -> tuple[QuerySet[Case], bool]:
    """The cases this caller may read, and whether it reads them in full (with a key)."""
    key = key_or_none(params)
    if key is not None:
        return access.cases_visible_to(key.user), True
    if not settings.MINYI_OPEN311_PUBLIC_READ:
        raise NotPermitted(_("api_key is required: this server does not answer reads without a key."))
    shown = [s.category.pk for s in public_services()]
    public = Q(is_confidential=False) & (Q(category__isnull=True) | Q(category_id__in=shown))
    return access.cases_visible_to(SYSTEM_ACTOR).filter(public), False


def check_jurisdiction(params: Params) -> None:
    """One server, one jurisdiction: a jurisdiction_id is optional, but must be ours when given."""
    ours = settings.MINYI_OPEN311_JURISDICTION
    given = params.get("jurisdiction_id")
    if ours and given is not None and given != ours:
        raise NotFound(
            _("Unknown jurisdiction_id “%(given)s”: this server serves %(ours)s.")
            % {"given": given, "ours": ours}
        )
