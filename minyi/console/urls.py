from django.urls import path

from minyi.console.views import analysis, auth, case, dashboard, desks, intake, leader, lists, notifications
from minyi.console.views import batch as batch_views

app_name = "console"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    # the desks
    path("intake/", intake.intake, name="intake"),
    path("intake/history/", intake.caller_history, name="caller_history"),
    path("intake/knowledge/", intake.knowledge, name="knowledge"),
    path("analysis/", analysis.analysis, name="analysis"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/monthly/", dashboard.monthly_report, name="monthly_report"),
    path("analysis/hot/<int:issue_id>/", analysis.hot_issue, name="hot_issue"),
    path("analysis/alerts/<int:alert_id>/<slug:action>/", analysis.alert_action, name="alert_action"),
    path("intake/suggest/", intake.category_suggestion, name="category_suggestion"),
    path("intake/similar/", intake.similar, name="similar"),
    path("dispatch/", desks.dispatch, name="dispatch"),
    path("workbench/", desks.workbench, name="workbench"),
    path("supervision/", desks.supervision, name="supervision"),
    path("callback/", desks.callback, name="callback"),
    path("leader/", leader.home, name="leader"),
    # cases
    path("cases/", lists.case_list, name="cases"),
    path("cases/export/", lists.case_export, name="cases_export"),
    path("cases/find/", case.case_by_number, name="case_find"),
    path("cases/batch/", batch_views.batch_action, name="batch"),
    path("cases/batch/<int:run_id>/", batch_views.batch_result, name="batch_result"),
    path("cases/<int:case_id>/", case.case_page, name="case"),
    path("cases/<int:case_id>/do/<slug:operation>/", case.case_operation, name="case_do"),
    path("cases/<int:case_id>/reply-check/", case.reply_check, name="reply_check"),
    path("cases/<int:case_id>/reveal/", case.reveal_requester, name="reveal"),
    path("attachments/<int:attachment_id>/", case.attachment, name="attachment"),
    # notifications
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/<int:notification_id>/", notifications.open_notification, name="notification"),
    path("notifications/read-all/", notifications.read_all, name="notifications_read_all"),
]
