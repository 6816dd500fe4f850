"""Categories (分类), the routing catalogue (派单目录) and deadline rules (时限规则)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.catalog.choices import LIMIT_UNIT_CHOICES, DemandType, Urgency
from minyi.core.trees import TreeNode


class Category(TreeNode):
    """A node of the category tree, up to three levels (e.g. 城乡建设 / 供热 / 供热不足)."""

    max_depth = 3

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Offered to citizens and to Open311 clients as a service.")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """派单目录: cases of this category (or any below it) in this area (or any below it) go to this
    lead unit and co-units. The most specific rule wins: a deeper category first, then a deeper area.
    An empty category or area matches everything."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    area = models.ForeignKey(
        "org.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="routing_rules_led"
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("co-units"), blank=True, related_name="routing_rules_co"
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing catalogue")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"],
                condition=Q(category__isnull=False, area__isnull=False),
                name="routing_unique_category_area",
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(area__isnull=True), name="routing_unique_category_any_area"
            ),
            models.UniqueConstraint(
                fields=["area"], condition=Q(category__isnull=True), name="routing_unique_area_any_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '全部分类'} × {self.area or '全区'} → {self.lead_unit}"

    def clean(self) -> None:
        super().clean()
        # The database's unique constraints treat two empty (NULL) pairs as different.
        if self.category_id is None and self.area_id is None:
            others = RoutingRule.objects.filter(category__isnull=True, area__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("There is already a rule for every category in the whole district."))


class DeadlineRule(models.Model):
    """时限规则: how long a unit has to sign for and to handle a case. Empty fields match anything.
    Of the rules that match, one naming the urgency wins, then the deeper category, then the one
    naming the demand type (catalog.services.limits_for)."""

    demand_type = models.CharField(_("demand type"), max_length=16, choices=DemandType.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_rules",
    )
    sign_limit = models.IntegerField(_("sign-for limit"))
    sign_unit = models.CharField(_("sign-for limit unit"), max_length=16, choices=LIMIT_UNIT_CHOICES)
    handle_limit = models.IntegerField(_("handling limit"))
    handle_unit = models.CharField(_("handling limit unit"), max_length=16, choices=LIMIT_UNIT_CHOICES)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["demand_type", "urgency", "category"],
                condition=Q(category__isnull=False),
                name="deadline_unique_rule",
            ),
            models.UniqueConstraint(
                fields=["demand_type", "urgency"],
                condition=Q(category__isnull=True),
                name="deadline_unique_rule_any_category",
            ),
            models.CheckConstraint(condition=Q(sign_limit__gt=0), name="deadline_sign_limit_positive"),
            models.CheckConstraint(condition=Q(handle_limit__gt=0), name="deadline_handle_limit_positive"),
        ]

    def __str__(self) -> str:
        parts = [
            self.get_demand_type_display() if self.demand_type else "",
            self.get_urgency_display() if self.urgency else "",
            str(self.category or ""),
        ]
        scope = " · ".join(p for p in parts if p) or _("default")
        return (
            f"{scope}: {self.sign_limit} {self.get_sign_unit_display()} / "
            f"{self.handle_limit} {self.get_handle_unit_display()}"
        )

    def clean(self) -> None:
        errors = {}
        for field in ("sign_limit", "handle_limit"):
            value = getattr(self, field)
            if value is not None and value <= 0:
                errors[field] = _("A time limit must be a positive number, got %(value)s.") % {"value": value}
        if errors:
            raise ValidationError(errors)
