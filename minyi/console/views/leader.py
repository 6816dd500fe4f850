"""领导首页 (placeholder until the leader home lands)."""

from __future__ import annotations

from django.shortcuts import render

from minyi.console.views.common import staff_view
from minyi.org.roles import Role


@staff_view(Role.LEADER)
def home(request):
    return render(request, "console/leader.html", {})
