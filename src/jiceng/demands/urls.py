from django.urls import path

from . import views

app_name = "demands"
urlpatterns = [
    path("", views.DemandListView.as_view(), name="demand_list"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("new/", views.DemandCreateView.as_view(), name="demand_add"),
    path("duplicates/", views.DuplicatesView.as_view(), name="duplicates"),
    path("<int:pk>/", views.DemandDetailView.as_view(), name="demand_detail"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("<int:pk>/<slug:action>/", views.DemandActionView.as_view(), name="demand_action"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_add"),
    path("visits/route/", views.RouteView.as_view(), name="route"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    # Public pages: no login.
    path("submit/", views.PublicDemandView.as_view(), name="public_submit"),
    path("services/", views.CatalogView.as_view(), name="catalog"),
    path("track/", views.TrackLookupView.as_view(), name="track_lookup"),
    path("track/<str:code>/", views.TrackView.as_view(), name="track"),
]
