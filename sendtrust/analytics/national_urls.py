"""Routes of the national picture (/national/): DfE headline figures beside the trust's LAs."""

from django.urls import path

from sendtrust.analytics.national import views

app_name = "national"
urlpatterns = [
    path("national/", views.national_picture, name="picture"),
    path("national/<slug:key>.<slug:fmt>", views.national_export, name="export"),
]
