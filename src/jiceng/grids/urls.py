from django.urls import path

from . import views

app_name = "grids"
urlpatterns = [
    path("", views.GridListView.as_view(), name="grid_list"),
    path("new/", views.GridEditView.as_view(), name="grid_add"),
    path("import/", views.GridImportView.as_view(), name="grid_import"),
    path("<int:pk>/", views.GridDetailView.as_view(), name="grid_detail"),
    path("<int:pk>/edit/", views.GridEditView.as_view(), name="grid_edit"),
    path("<int:pk>/members/", views.GridAssignView.as_view(), name="grid_assign"),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/new/", views.HouseholdEditView.as_view(), name="household_add"),
    path("households/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household_edit"),
    path("household-logs/<int:pk>/demand/", views.LogDemandView.as_view(), name="log_demand"),
    path("renovation/", views.ProjectListView.as_view(), name="project_list"),
    path("renovation/new/", views.ProjectEditView.as_view(), name="project_add"),
    path("renovation/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("renovation/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("renovation/<int:pk>/<slug:action>/", views.ProjectActionView.as_view(), name="project_action"),
]
