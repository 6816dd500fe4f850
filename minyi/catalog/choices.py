"""Words of a demand that every part of minyi shares: channel, demand type, urgency."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")  # 热线电话
    WEB = "web", _("Web")  # 网站
    MOBILE = "mobile", _("Mobile / H5")  # 手机/H5
    WECHAT = "wechat", _("WeChat")  # 微信
    PETITION = "petition", _("Petition")  # 信访
    GRID = "grid", _("Grid worker report")  # 网格员上报
    VISIT = "visit", _("Door-to-door visit")  # 民情走访
    WINDOW = "window", _("Service window")  # 窗口/办不成事
    OPEN311 = "open311", _("Open311")
    IMPORT = "import", _("Import")  # 导入
    API = "api", _("API")
    ANALYSIS = "analysis", _("Found by analysis")  # 主动发现 (未诉先办): a rising topic turned into a case


class DemandType(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report of wrongdoing")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    PRAISE = "praise", _("Praise")  # 表扬


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    MAJOR = "major", _("Major / sensitive")  # 重大/敏感


# Units of a time limit; the arithmetic lives in workcal/calendar.py (LimitUnit).
LIMIT_UNIT_CHOICES = [
    ("working_days", _("working days")),  # 个工作日
    ("working_hours", _("working hours")),  # 个工作小时
    ("hours", _("hours (round the clock)")),  # 小时 (自然时)
]
