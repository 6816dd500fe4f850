"""消息: the user's notifications, newest first; opening one marks it read and goes to its case."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from minyi.console.views.common import page_of
from minyi.notifications.models import Notification
from minyi.notifications.services import mark_read


@login_required
def inbox(request):
    items = Notification.objects.filter(user=request.user).select_related("case")
    if request.GET.get("unread"):
        items = items.filter(read_at__isnull=True)
    return render(request, "console/notifications.html", {"page": page_of(request, items)})


@login_required
def open_notification(request, notification_id: int):
    item = get_object_or_404(Notification, pk=notification_id, user=request.user)
    mark_read(request.user, [item.pk])
    if item.case_id:
        return redirect("console:case", item.case_id)
    if item.url.startswith("/"):  # written by minyi itself, never from input
        return redirect(item.url)
    return redirect("console:notifications")


@require_POST
@login_required
def read_all(request):
    mark_read(request.user)
    return redirect("console:notifications")
