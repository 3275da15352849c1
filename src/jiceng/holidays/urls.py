from django.urls import path

from . import views

app_name = "holidays"
urlpatterns = [
    path("", views.YearListView.as_view(), name="year_list"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("<int:year>/", views.YearDetailView.as_view(), name="year"),
    path("<int:year>/edit/", views.YearEditView.as_view(), name="year_edit"),
    path("<int:year>/publish/", views.PublishView.as_view(), name="publish"),
]
