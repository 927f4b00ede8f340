from django.urls import path

from sendtrust.quality import views

app_name = "quality"
urlpatterns = [
    path("trusts/<uuid:code>/data-quality/", views.quality_list, {"level": "trust"},
         name="trust"),
    path("trusts/<uuid:code>/data-quality.csv", views.quality_export, {"level": "trust"},
         name="trust_csv"),
    path("schools/<uuid:code>/data-quality/", views.quality_list, {"level": "school"},
         name="for_school"),
    path("schools/<uuid:code>/data-quality.csv", views.quality_export, {"level": "school"},
         name="for_school_csv"),
]
