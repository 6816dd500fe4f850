"""Places (区 → 街道/镇 → 社区/村 → 网格), units (承办单位 and the centre) and the people in them."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.core.trees import TreeNode
from minyi.org.roles import DEFAULT_SCOPE, Role, Scope


class Area(TreeNode):
    """A place in the district's tree: district → street/town → community/village → grid."""

    class Level(models.IntegerChoices):
        DISTRICT = 1, _("District")  # 区/县
        STREET = 2, _("Street / town")  # 街道/镇
        COMMUNITY = 3, _("Community / village")  # 社区/村
        GRID = 4, _("Grid")  # 网格

    max_depth = 4

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    households = models.PositiveIntegerField(_("households"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.level <= self.parent.level:
            raise ValidationError({"level": _("An area must be one level below its parent area.")})
        if not self.parent_id and self.level != self.Level.DISTRICT:
            raise ValidationError({"parent": _("Only a district may stand without a parent area.")})

    @property
    def full_name(self) -> str:
        names = dict(Area.objects.filter(pk__in=self.ancestor_ids()).values_list("pk", "name"))
        return " / ".join(names[pk] for pk in self.ancestor_ids() if pk in names)


class Unit(TreeNode):
    """An organisation that takes part: the centre, a department, a street office, a community,
    an enterprise such as the heating or water company (承办单位)."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Service centre")  # 社会治理服务中心
        GOVERNMENT = "government", _("Government")  # 区政府/领导
        DEPARTMENT = "department", _("Department")  # 职能部门
        STREET = "street", _("Street / town office")  # 街道办/镇政府
        COMMUNITY = "community", _("Community / village committee")  # 社区/村委会
        ENTERPRISE = "enterprise", _("Enterprise")  # 企业 (供热、供水…)

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area of jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("For street and community offices: the area they are responsible for."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Citizens do not log in as users; they follow cases by query code."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area or grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("For grid workers and visit secretaries: the grid or area they cover."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_scopes(self) -> dict[str, str]:
        """{role: scope} for the roles this user holds (read once per request)."""
        if self.pk is None or not self.is_active:
            return {}
        return dict(self.grants.values_list("role", "scope"))

    def has_role(self, *roles: str) -> bool:
        return any(role in self.role_scopes for role in roles)

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.is_superuser or self.has_role(Role.ADMINISTRATOR))

    def has_perm(self, perm: str, obj: object = None) -> bool:
        # Administrators (管理员) maintain all configuration in the admin site.
        return self.is_administrator or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_administrator or super().has_module_perms(app_label)

    def refresh_roles(self) -> None:
        """Forget what was read about this user's roles and scopes (after a change)."""
        self.__dict__.pop("role_scopes", None)
        self.__dict__.pop("_acting_unit_ids", None)


class RoleGrant(models.Model):
    """A role held by a user, with the data scope it reaches."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    scope = models.CharField(_("data scope"), max_length=12, choices=Scope.choices, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.get_scope_display()})"

    def clean(self) -> None:
        if not self.scope:
            self.scope = DEFAULT_SCOPE[self.role]
        user = self._user_or_none()
        if user is None:
            return
        if self.scope in (Scope.UNIT, Scope.UNIT_TREE) and not user.unit_id:
            raise ValidationError({"scope": _("This scope needs the user to belong to a unit.")})
        if self.scope == Scope.AREA and not (user.area_id or (user.unit_id and user.unit.area_id)):
            raise ValidationError({"scope": _("This scope needs an area on the user or on the user's unit.")})

    def _user_or_none(self) -> User | None:
        # On the add-user page the inline's user is the unsaved parent object, without an id yet.
        try:
            return self.user
        except User.DoesNotExist:
            return None

    def save(self, *args, **kwargs) -> None:
        if not self.scope:
            self.scope = DEFAULT_SCOPE[self.role]
        super().save(*args, **kwargs)
