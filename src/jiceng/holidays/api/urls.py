from django.urls import path

from .views import HolidayYearAPIView, HolidayYearListAPIView

urlpatterns = [
    path("holidays/", HolidayYearListAPIView.as_view(), name="holiday-list"),
    path("holidays/<int:year>/", HolidayYearAPIView.as_view(), name="holiday-year"),
]
