"""The administrators' site (管理后台): all configuration, and read-only views of cases.

Only administrators (管理员) and superusers get in. Other staff work in their own console; Django's
`is_staff` flag plays no part, so granting the administrator role is all it takes to open this site.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext


def is_site_administrator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or getattr(user, "is_administrator", False)))


class AdministratorAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, admitting administrators instead of `is_staff` users."""

    def confirm_login_allowed(self, user) -> None:
        # Skip AdminAuthenticationForm's is_staff test; keep AuthenticationForm's is_active test.
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)
        if not is_site_administrator(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class MinyiAdminSite(admin.AdminSite):
    # The product's name as the district knows it, not UI text to translate.
    site_title = "民意 minyi 管理"
    site_header = "民意诉求闭环管理"
    # The root URL leads back here; there is no public site to link to yet.
    site_url = None
    index_template = "admin/minyi_index.html"
    login_form = AdministratorAuthenticationForm
    enable_nav_sidebar = True

    def has_permission(self, request) -> bool:
        return is_site_administrator(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin of the site narrows its lists only by the filters it declares."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredLookupsOnly):
            admin_class = type(admin_class.__name__, (DeclaredLookupsOnly, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        return super().index(request, {"calendar_warnings": calendar_warnings(), **(extra_context or {})})


def calendar_warnings() -> list[dict]:
    """One warning per year whose holidays neither chinesecalendar nor the override table knows."""
    from minyi.workcal.services import years_needing_entry

    url = reverse("admin:workcal_holidayoverride_changelist", current_app=site.name)
    bulk_url = reverse("admin:workcal_holidayoverride_bulk", current_app=site.name)
    return [
        {
            "year": year,
            "message": gettext(
                "The holiday calendar for %(year)d has not been entered yet. Until it is, deadlines in "
                "%(year)d count every Monday to Friday as a working day and ignore statutory holidays "
                "and make-up working days."
            )
            % {"year": year},
            "url": url,
            "bulk_url": bulk_url,
        }
        for year in years_needing_entry()
    ]


class DeclaredLookupsOnly:
    """A list's address may narrow it only by the filters the admin declares (list_filter,
    date_hierarchy). Django allows any lookup on a model's own fields, so
    ?requester_phone__regex=^1388865 would answer "a case has such a number" digit by digit, as an
    oracle of every phone, name and ID number, unaudited; such an address is refused (400)."""

    def lookup_allowed(self, lookup, value, request=None):
        declared = {self.date_hierarchy} - {None}
        for item in self.list_filter:
            if isinstance(item, list | tuple):
                declared.add(item[0])
            elif isinstance(item, str):
                declared.add(item)
            else:  # a SimpleListFilter reads its own parameter
                declared.add(getattr(item, "parameter_name", ""))
        if not any(lookup == name or lookup.startswith(f"{name}__") for name in declared - {""}):
            return False
        return super().lookup_allowed(lookup, value, request)


class ReadOnly:
    """Records that only services write (cases, audits, notifications): look, never touch."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


def tree_label(node) -> str:
    """A tree node's name indented by its depth, for changelists ordered by path."""
    if node.depth <= 1:
        return node.name
    return format_html('<span style="padding-left: {}em">└ {}</span>', 1.5 * (node.depth - 1), node.name)


site = MinyiAdminSite(name="admin")
