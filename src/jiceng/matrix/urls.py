from django.urls import path

from . import views

app_name = "matrix"
urlpatterns = [
    path("", views.MatrixReportView.as_view(), name="report"),
]
