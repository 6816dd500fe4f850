"""The login limits' counts (web/logins.py), for administrators: who is slowed down or locked out.
Deleting a row unlocks its account or address at once."""

from __future__ import annotations

from django.contrib import admin

from minyi.core.admin_site import site
from minyi.web.models import LoginFailures


@admin.register(LoginFailures, site=site)
class LoginFailuresAdmin(admin.ModelAdmin):
    list_display = ("kind", "name", "failures", "last_failure_at", "alerted_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    ordering = ("-last_failure_at", "-id")
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
