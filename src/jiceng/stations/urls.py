from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("", views.StationListView.as_view(), name="station_list"),
    path("gaps/", views.GapReportView.as_view(), name="gap_report"),
    path("<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("<int:pk>/public/", views.StationPublicView.as_view(), name="station_public"),
]

# The map (/map/) is its own namespace: `map:map` and `map:layer`.
map_patterns = ([
    path("", views.MapView.as_view(), name="map"),
    path("layers/<slug:code>/", views.MapLayerView.as_view(), name="layer"),
], "map")
