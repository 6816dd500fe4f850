"""In-app notifications, the SMS/e-mail outbox and the deadline alerts sent: read-only, for support."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minyi.core.admin_site import ReadOnlyAdmin, site
from minyi.notifications.models import DeadlineAlert, Notification, OutboundMessage


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", _("Read")), ("no", _("Unread"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification, site=site)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "case", "message", "read_at")
    list_filter = ("kind", ReadFilter)
    date_hierarchy = "created_at"
    search_fields = ("message", "user__username", "user__full_name", "case__tracking_number")
    list_select_related = ("user", "case")
    show_full_result_count = False


@admin.register(OutboundMessage, site=site)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "medium",
        "recipient",
        "subject",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "medium")
    date_hierarchy = "created_at"
    search_fields = ("recipient", "subject", "body")
    ordering = ("-created_at", "-id")
    show_full_result_count = False


@admin.register(DeadlineAlert, site=site)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "clock", "level", "due_at")
    list_filter = ("level", "clock")
    date_hierarchy = "created_at"
    search_fields = ("case__tracking_number",)
    list_select_related = ("case",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False
