from django.urls import path

from . import views

app_name = "venues"
urlpatterns = [
    path("", views.RoomListView.as_view(), name="room_list"),
    path("rooms/new/", views.RoomEditView.as_view(), name="room_create"),
    path("rooms/<int:pk>/", views.RoomDetailView.as_view(), name="room_detail"),
    path("rooms/<int:pk>/edit/", views.RoomEditView.as_view(), name="room_edit"),
    path("rooms/<int:pk>/book/", views.BookingCreateView.as_view(), name="booking_create"),
    path("rooms/<int:pk>/calendar.ics", views.RoomCalendarFeedView.as_view(), name="room_ics"),
    path("rooms/<int:pk>/photos/", views.PhotoUploadView.as_view(), name="photo_upload"),
    path("rooms/<int:pk>/photos/<int:photo_id>/", views.RoomPhotoView.as_view(), name="photo"),
    path("rooms/<int:pk>/photos/<int:photo_id>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
    path("bookings/", views.BookingListView.as_view(), name="booking_list"),
    path("bookings/mine/", views.BookingListView.as_view(mine=True), name="my_bookings"),
    path("bookings/approvals/", views.ApprovalQueueView.as_view(), name="approvals"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking_detail"),
    path("bookings/<int:pk>/<str:action>/", views.BookingActionView.as_view(), name="booking_action"),
]
