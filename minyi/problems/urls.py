from django.urls import path

from minyi.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.register, name="register"),
    path("export/", views.export, name="export"),
    path("new/", views.problem_new, name="problem_new"),
    path("<int:problem_id>/", views.problem_page, name="problem"),
    path("<int:problem_id>/edit/", views.problem_edit, name="problem_edit"),
    path("<int:problem_id>/status/", views.problem_status, name="problem_status"),
    path("<int:problem_id>/measures/", views.problem_measure, name="problem_measure"),
    path("measures/", views.measures, name="measures"),
    path("measures/<int:measure_id>/", views.measure_page, name="measure"),
    path("categories/", views.categories, name="categories"),
]
