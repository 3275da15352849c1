from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="place_list"),
    path("tree/", views.PlaceTreeView.as_view(), name="place_tree"),
    path("add/", views.PlaceEditView.as_view(), name="place_add"),
    path("<int:pk>/", views.PlaceDetailView.as_view(), name="place_detail"),
    path("<int:pk>/edit/", views.PlaceEditView.as_view(), name="place_edit"),
]
