"""Look-ups in the category tree, the routing catalogue and the deadline rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from minyi.catalog.models import Category, DeadlineRule, RoutingRule
from minyi.core.errors import InvalidInput
from minyi.org.models import Area, Unit


@dataclass(frozen=True)
class Routing:
    lead_unit: Unit
    co_units: tuple[Unit, ...]
    rule: RoutingRule | None


@dataclass(frozen=True)
class Limits:
    sign_limit: int
    sign_unit: str
    handle_limit: int
    handle_unit: str
    rule: DeadlineRule | None

    @property
    def handle_text(self) -> str:
        return f"{self.handle_limit} {self.handle_unit}"


# When no deadline rule matches at all (an administrator deleted the default rule): the usual
# practice, sign for within 1 working day, handle within 5.
FALLBACK_LIMITS = Limits(1, "working_days", 5, "working_days", None)


def category_by_code(code: str) -> Category:
    try:
        return Category.objects.get(code=code, is_active=True)
    except Category.DoesNotExist:
        raise InvalidInput(
            _("Unknown category code “%(code)s”: choose one from the category tree.") % {"code": code},
            field="category",
        ) from None


def unit_by_id(unit_id: int | str, *, field: str = "lead_unit") -> Unit:
    try:
        return Unit.objects.get(pk=int(unit_id), is_active=True)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(
            _("There is no active unit with id %(id)s: choose a unit from the unit list.") % {"id": unit_id},
            field=field,
        ) from None


def _ancestor_or_self(node, field: str) -> Q:
    """Rules whose `field` is empty or is the node or one of its ancestors."""
    if node is None:
        return Q(**{f"{field}__isnull": True})
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": node.ancestor_ids()})


def routing_for(*, category: Category | None, area: Area | None) -> Routing | None:
    """The routing catalogue's proposal for a case: the most specific active rule, or None."""
    rules = list(
        RoutingRule.objects.filter(is_active=True, lead_unit__is_active=True)
        .filter(_ancestor_or_self(category, "category"), _ancestor_or_self(area, "area"))
        .select_related("category", "area", "lead_unit")
    )
    if not rules:
        return None
    # Ties (possible only for two catch-all rules entered around the admin) go to the older rule.
    best = max(
        rules, key=lambda r: (r.category.depth if r.category else 0, r.area.depth if r.area else 0, -r.pk)
    )
    return Routing(
        lead_unit=best.lead_unit,
        co_units=tuple(best.co_units.filter(is_active=True).exclude(pk=best.lead_unit_id)),
        rule=best,
    )


def limits_for(*, demand_type: str, urgency: str, category: Category | None) -> Limits:
    """The deadline rule for a case. Urgency decides first (a rule naming the case's urgency beats
    any rule that does not: an urgent wage complaint is urgent before it is a wage complaint), then
    the deeper category, then the demand type."""
    rules = (
        DeadlineRule.objects.filter(is_active=True)
        .filter(
            Q(demand_type="") | Q(demand_type=demand_type),
            Q(urgency="") | Q(urgency=urgency),
            _ancestor_or_self(category, "category"),
        )
        .select_related("category")
    )

    def precedence(rule: DeadlineRule) -> tuple[bool, int, bool]:
        return (bool(rule.urgency), rule.category.depth if rule.category else 0, bool(rule.demand_type))

    best = max(rules, key=precedence, default=None)
    if best is None:
        return FALLBACK_LIMITS
    return Limits(best.sign_limit, best.sign_unit, best.handle_limit, best.handle_unit, best)
