from django.urls import path

from . import views
from .models import Need, Resource

app_name = "matching"
urlpatterns = [
    path("needs/", views.NeedListView.as_view(), name="need_list"),
    path("needs/add/", views.NeedEditView.as_view(), name="need_add"),
    path("needs/<int:pk>/", views.NeedDetailView.as_view(), name="need_detail"),
    path("needs/<int:pk>/edit/", views.NeedEditView.as_view(), name="need_edit"),
    path("needs/<int:pk>/reveal/", views.NeedRevealView.as_view(), name="need_reveal"),
    path("needs/<int:pk>/close/", views.CloseItemView.as_view(model=Need), name="need_close"),
    path("needs/from-demand/<int:demand_pk>/", views.PromoteDemandView.as_view(), name="need_from_demand"),
    path("resources/", views.ResourceListView.as_view(), name="resource_list"),
    path("resources/add/", views.ResourceEditView.as_view(), name="resource_add"),
    path("resources/<int:pk>/", views.ResourceDetailView.as_view(), name="resource_detail"),
    path("resources/<int:pk>/edit/", views.ResourceEditView.as_view(), name="resource_edit"),
    path("resources/<int:pk>/close/", views.CloseItemView.as_view(model=Resource), name="resource_close"),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("conferences/", views.ConferenceListView.as_view(), name="conference_list"),
    path("conferences/add/", views.ConferenceEditView.as_view(), name="conference_add"),
    path("conferences/<int:pk>/", views.ConferenceDetailView.as_view(), name="conference_detail"),
    path("conferences/<int:pk>/edit/", views.ConferenceEditView.as_view(), name="conference_edit"),
    path("conferences/<int:pk>/units/", views.UnitAddView.as_view(), name="unit_add"),
    path("conferences/<int:pk>/rotation/", views.RotationView.as_view(), name="rotation"),
    path("conferences/<int:pk>/chair-terms/", views.ChairTermEditView.as_view(), name="chair_term_add"),
    path("conferences/<int:pk>/meetings/add/", views.MeetingEditView.as_view(), name="meeting_add"),
    path("conferences/<int:pk>/proposals/", views.ProposalView.as_view(), name="proposals"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
]
