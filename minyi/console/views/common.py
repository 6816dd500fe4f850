"""What every console view shares: who may use the console, pagination, where to go back to."""

from __future__ import annotations

from functools import cached_property, wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from minyi.core.errors import NotPermitted
from minyi.org.roles import Role


def staff_view(*roles: str):
    """A console view for logged-in users holding one of `roles` (any role when none is given)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if roles and not user.has_role(*roles):
                raise NotPermitted(_role_message(roles))
            if not roles and not user.role_scopes:
                raise NotPermitted(_role_message(()))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _role_message(roles) -> str:
    if not roles:
        return _("Your account holds no role yet. Ask the centre's administrator to grant one.")
    return _("This page is for: %(roles)s.") % {"roles": "、".join(str(Role(r).label) for r in roles)}


COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: the exact number of a district's 300,000 heating cases
    costs the database a second and tells the reader no more than "more than 10,000" does (the
    export still counts exactly). `beyond` says the count was cut; the pages go up to the cap."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def beyond(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP


def page_of(request, queryset, *, size: int | None = None):
    paginator = CappedPaginator(queryset, size or settings.MINYI_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def safe_next(request, fallback: str) -> str:
    """The `next` address of a form if it is a path of this site, else `fallback`. Only a path: any
    other word would reach `redirect()`, which takes it for the name of a view (a 500, after the
    operation was done)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return fallback
