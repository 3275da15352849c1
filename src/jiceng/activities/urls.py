from django.urls import path

from jiceng.members.views_pioneer import PioneerView

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("mine/", views.MyActivitiesView.as_view(), name="mine"),
    path("new/", views.ActivityEditView.as_view(), name="activity_add"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity_edit"),
    path("<int:pk>/status/", views.ActivityStatusView.as_view(), name="activity_status"),
    path("<int:pk>/sign-up/", views.SignUpView.as_view(), name="sign_up"),
    path("<int:pk>/sign-ups/<int:signup_pk>/cancel/", views.SignUpCancelView.as_view(), name="signup_cancel"),
    path("<int:pk>/rate/", views.RateView.as_view(), name="rate"),
    path("<int:pk>/door/", views.DoorView.as_view(), name="door"),
    path("<int:pk>/check-in/", views.CheckInView.as_view(), name="check_in"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/record/", views.MeetingRecordView.as_view(), name="meeting_record"),
    path("<int:pk>/photos/<int:photo_pk>/", views.MeetingPhotoView.as_view(), name="meeting_photo"),
    path("<int:pk>/public/", views.PublicSignUpView.as_view(), name="public_sign_up"),
    path("<int:pk>/messages/", views.WallPostView.as_view(), name="wall_post"),
    path("messages/", views.WallModerationView.as_view(), name="wall_queue"),
    path("series/new/", views.SeriesCreateView.as_view(), name="series_add"),
    path("series/<int:pk>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("clubs/", views.ClubListView.as_view(), name="club_list"),
    path("clubs/new/", views.ClubEditView.as_view(), name="club_add"),
    path("clubs/<int:pk>/", views.ClubDetailView.as_view(), name="club_detail"),
    path("clubs/<int:pk>/edit/", views.ClubEditView.as_view(), name="club_edit"),
    path("clubs/<int:pk>/<str:action>/", views.ClubMembershipView.as_view(), name="club_membership"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("pioneer/", PioneerView.as_view(), name="pioneer"),
    path("speakers/<int:pk>/", views.SpeakerView.as_view(), name="speaker"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
]
