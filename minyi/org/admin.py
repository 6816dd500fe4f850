"""Places, units and staff with their roles, as administrators maintain them."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from minyi.core.admin_site import site, tree_label
from minyi.org.models import Area, RoleGrant, Unit, User


@admin.register(Area, site=site)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "level", "code", "households", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    fields = ("parent", "level", "code", "name", "households", "is_active")
    list_select_related = ("parent",)
    ordering = ("path",)
    list_per_page = 200

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Area) -> str:
        return tree_label(obj)


@admin.register(Unit, site=site)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "kind", "code", "parent", "area", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "area")
    fields = ("parent", "kind", "code", "name", "area", "phone", "is_active")
    list_select_related = ("parent", "area")
    ordering = ("path",)
    list_per_page = 200

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return tree_label(obj)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    fields = ("role", "scope")
    verbose_name = _("role")
    verbose_name_plural = _("roles")


@admin.register(User, site=site)
class UserAdmin(DjangoUserAdmin):
    # Groups, object permissions and is_staff play no part in minyi: roles (RoleGrant) say what a
    # person may do, and the administrator role opens this site.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email", "unit", "area")}),
        (_("Access"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Person"), {"fields": ("full_name", "phone", "unit", "area")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = (RoleGrantInline,)
    list_display = ("username", "full_name", "unit", "roles", "phone", "is_active", "last_login")
    list_filter = ("grants__role", "unit__kind", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "phone", "unit__name")
    autocomplete_fields = ("unit", "area")
    list_select_related = ("unit",)
    filter_horizontal = ()
    ordering = ("username",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("grants", queryset=RoleGrant.objects.order_by("role")))
        )

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(grant.get_role_display() for grant in obj.grants.all())
