"""The category tree, the routing catalogue (派单目录) and the deadline rules (时限规则)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minyi.catalog.models import Category, DeadlineRule, RoutingRule
from minyi.core.admin_site import site, tree_label


class LevelFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("1", _("Level 1")), ("2", _("Level 2")), ("3", _("Level 3"))]

    def queryset(self, request, queryset):
        if self.value() in {"1", "2", "3"}:
            return queryset.filter(depth=int(self.value()))
        return queryset


@admin.register(Category, site=site)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "code", "level", "is_active", "is_public", "sort_order")
    list_filter = (LevelFilter, "is_active", "is_public")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    fields = ("parent", "code", "name", "is_active", "is_public", "sort_order")
    ordering = ("path",)
    list_per_page = 300

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Category) -> str:
        return tree_label(obj)

    @admin.display(description=_("level"), ordering="depth")
    def level(self, obj: Category) -> int:
        return obj.depth


@admin.register(RoutingRule, site=site)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category_or_all", "area_or_all", "lead_unit", "co_unit_names", "is_active", "note")
    list_filter = ("is_active", "lead_unit__kind")
    search_fields = ("category__name", "category__code", "area__name", "lead_unit__name", "note")
    autocomplete_fields = ("category", "area", "lead_unit", "co_units")
    fields = ("category", "area", "lead_unit", "co_units", "is_active", "note")
    list_select_related = ("category", "area", "lead_unit")
    ordering = ("category__path", "area__path")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("co_units")

    @admin.display(description=_("category"), ordering="category__path")
    def category_or_all(self, obj: RoutingRule) -> str:
        return str(obj.category) if obj.category_id else _("all categories")

    @admin.display(description=_("area"), ordering="area__path")
    def area_or_all(self, obj: RoutingRule) -> str:
        return str(obj.area) if obj.area_id else _("whole district")

    @admin.display(description=_("co-units"))
    def co_unit_names(self, obj: RoutingRule) -> str:
        return ", ".join(unit.name for unit in obj.co_units.all())


@admin.register(DeadlineRule, site=site)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = (
        "demand_type_or_any",
        "urgency_or_any",
        "category_or_any",
        "sign_limit",
        "sign_unit",
        "handle_limit",
        "handle_unit",
        "is_active",
        "note",
    )
    list_filter = ("demand_type", "urgency", "handle_unit", "is_active")
    search_fields = ("category__name", "category__code", "note")
    autocomplete_fields = ("category",)
    fieldsets = (
        (
            _("Applies to"),
            {
                "fields": ("demand_type", "urgency", "category"),
                "description": _(
                    "Leave a field empty to match anything. The rule that names more of demand type, "
                    "urgency and category wins, then the deeper category."
                ),
            },
        ),
        (_("Time limits"), {"fields": (("sign_limit", "sign_unit"), ("handle_limit", "handle_unit"))}),
        (None, {"fields": ("is_active", "note")}),
    )
    list_select_related = ("category",)
    ordering = ("demand_type", "urgency", "category__path")

    @admin.display(description=_("demand type"), ordering="demand_type")
    def demand_type_or_any(self, obj: DeadlineRule) -> str:
        return obj.get_demand_type_display() if obj.demand_type else _("any")

    @admin.display(description=_("urgency"), ordering="urgency")
    def urgency_or_any(self, obj: DeadlineRule) -> str:
        return obj.get_urgency_display() if obj.urgency else _("any")

    @admin.display(description=_("category"), ordering="category__path")
    def category_or_any(self, obj: DeadlineRule) -> str:
        return str(obj.category) if obj.category_id else _("any")
