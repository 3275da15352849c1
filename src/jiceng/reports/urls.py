from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("party-statistics/", views.PartyStatisticsView.as_view(), name="party_statistics"),
    path("projects/", views.ProjectsYearView.as_view(), name="projects"),
    path("demands/", views.DemandsYearView.as_view(), name="demands"),
]
