"""Roles (角色) and data scopes (数据范围) of the people who use minyi.

Roles are code, not data: the workflow (cases/workflow.py) names which roles may do what. A user
holds one or more roles, each with a scope that bounds which cases that role reaches.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")  # 话务员/受理员
    DISPATCHER = "dispatcher", _("Dispatcher")  # 派单员
    UNIT_HANDLER = "unit_handler", _("Unit handler")  # 承办人
    UNIT_HEAD = "unit_head", _("Unit head")  # 单位负责人
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    VISIT_SECRETARY = "visit_secretary", _("Visit secretary")  # 民情书记
    SUPERVISOR = "supervisor", _("Supervisor")  # 督办员
    CALLBACK_AGENT = "callback_agent", _("Callback agent")  # 回访员
    LEADER = "leader", _("Leader")  # 领导
    ADMINISTRATOR = "administrator", _("Administrator")  # 管理员
    # An external system (a WeChat/H5 front, an SMS gateway, a grid app) registering demands for the
    # citizens who use it, through an API key: it follows and acts on the cases it registered only.
    INTEGRATION = "integration", _("Integration")  # 对接系统


class Scope(models.TextChoices):
    UNIT = "unit", _("Own unit")  # 本单位
    UNIT_TREE = "unit_tree", _("Own unit and subordinates")  # 本单位及下级
    AREA = "area", _("Own area or grid")  # 本辖区/网格
    ALL = "all", _("Everything")  # 全部
    OWN = "own", _("Cases it registered")  # 本账号登记


# The scope a role gets when an administrator does not choose one.
DEFAULT_SCOPE: dict[str, str] = {
    Role.OPERATOR: Scope.ALL,
    Role.DISPATCHER: Scope.ALL,
    Role.UNIT_HANDLER: Scope.UNIT,
    Role.UNIT_HEAD: Scope.UNIT_TREE,
    Role.GRID_WORKER: Scope.AREA,
    Role.VISIT_SECRETARY: Scope.AREA,
    Role.SUPERVISOR: Scope.ALL,
    Role.CALLBACK_AGENT: Scope.ALL,
    Role.LEADER: Scope.ALL,
    Role.ADMINISTRATOR: Scope.ALL,
    Role.INTEGRATION: Scope.OWN,
}

# Roles of the service centre (社会治理服务中心) and leadership. They may reveal a requester's
# personal data (audited); handling units and grid workers see it masked unless the case needs contact.
CENTRE_ROLES = frozenset(
    {Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.CALLBACK_AGENT, Role.LEADER, Role.ADMINISTRATOR}
)

# Roles whose job is taking calls (话务员/受理员): only they look up a caller's earlier cases by the
# phone number typed in (access/personal_data.py, cases_of_caller), because they hear the number.
CALL_TAKING_ROLES = frozenset({Role.OPERATOR})
