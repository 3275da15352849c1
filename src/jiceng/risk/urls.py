from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("list/", views.RiskListView.as_view(), name="list"),
    path("follow-ups/", views.FollowUpBoardView.as_view(), name="follow_ups"),
    path("follow-ups/<int:pk>/close/", views.FollowUpCloseView.as_view(), name="follow_up_close"),
    path("follow-ups/<int:pk>/department/<slug:action>/", views.FollowUpDepartmentView.as_view(),
         name="follow_up_department"),
    path("enterprises/<int:pk>/", views.EnterpriseRiskView.as_view(), name="enterprise"),
    path("enterprises/<int:pk>/signals/", views.RecordSignalView.as_view(), name="record_signal"),
    path("enterprises/<int:pk>/override/", views.OverrideView.as_view(), name="override"),
]
