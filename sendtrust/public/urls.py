from django.urls import path

from sendtrust.public import views

app_name = "public"
urlpatterns = [
    path("public-trusts/", views.trust_list, name="trust_list"),
    path("public-trusts/build/", views.build_trust, name="build_trust"),
]
