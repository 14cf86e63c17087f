from django.urls import path

from . import views

urlpatterns = [
    path("availability/", views.AvailabilityReportView.as_view(), name="reports-availability"),
    path("top/", views.TopReportView.as_view(), name="reports-top"),
]
