from django.urls import path

from minyi.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("<int:project_id>/", views.project, name="project"),
    path("<int:project_id>/cases/link/", views.link_case, name="link_case"),
    path("<int:project_id>/cases/<int:case_id>/unlink/", views.unlink_case, name="unlink_case"),
    path("cases/link/", views.link_from_case, name="link_from_case"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("items/<int:item_id>/report/", views.report, name="report"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("wall/", views.wall, name="wall"),
    path("summary/", views.monthly, name="summary"),
    path("export/", views.export, name="export"),
    path("import/", views.import_ledger, name="import"),
]
