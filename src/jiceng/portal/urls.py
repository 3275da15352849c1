from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("<int:pk>/", views.BuildingView.as_view(), name="building"),
    path("<int:pk>/poster/", views.PosterView.as_view(), name="poster"),
]
