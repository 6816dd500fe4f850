from django.urls import path

from minyi.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("problem-row/", views.problem_row, name="problem_row"),
    path("<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("<int:campaign_id>/export/", views.campaign_export, name="export"),
    path("<int:campaign_id>/record/", views.record, name="record"),
    path("<int:campaign_id>/lookup/", views.household_lookup, name="household_lookup"),
    path("visit/<int:visit_id>/", views.visit_page, name="visit"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("household/<int:household_id>/", views.household_page, name="household"),
]
