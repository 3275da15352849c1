from django.urls import path

from . import views

app_name = "screen"
urlpatterns = [
    path("", views.ScreenView.as_view(), name="screen"),
    path("stream/", views.StreamView.as_view(), name="stream"),
]
