"""Routes of the national picture (/national/): DfE headline figures beside the trust's LAs."""

from django.urls import path  # noqa: F401

app_name = "national"
urlpatterns: list = []
