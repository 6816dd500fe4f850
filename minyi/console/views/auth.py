"""Login (within the limits of web/logins.py), logout and the home page that sends each role to its desk."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from minyi.console.desks import home_of


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Staff login")}


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or a prefetch cannot log anyone out."""


@login_required
def home(request):
    """Each user starts at their main page (console/desks.py HOME): leaders at the leader home, visit
    secretaries at their campaigns, others at the desk of their role."""
    user = request.user
    home = home_of(user)
    if home:
        return redirect(home)
    if user.is_administrator:
        return redirect("admin:index")
    return render(request, "console/no_role.html", status=403)
