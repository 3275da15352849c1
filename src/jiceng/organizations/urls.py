from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("tree/", views.OrganizationTreeView.as_view(), name="organization_tree"),
    path("coverage/", views.CoverageReportView.as_view(), name="coverage"),
    path("add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path("<int:pk>/<slug:action>/", views.OrganizationMembershipActionView.as_view(), name="organization_action"),
]
