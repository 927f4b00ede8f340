from django.urls import path, register_converter

from sendtrust.analytics import views


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "exportfmt")

app_name = "analytics"
urlpatterns = [
    path("trusts/<uuid:code>/analytics/", views.trust_analytics, name="trust_analytics"),
    path("trusts/<uuid:code>/analytics/funnels/", views.trust_funnels, name="trust_funnels"),
    path("trusts/<uuid:code>/analytics/report.pdf", views.trust_report, name="trust_report"),
    path("trusts/<uuid:code>/analytics/<slug:table>.<exportfmt:fmt>", views.trust_export,
         name="trust_export"),
    path("schools/<uuid:code>/analytics/", views.school_analytics, name="one_school"),
    path("schools/<uuid:code>/analytics/funnels/", views.school_funnels, name="one_school_funnels"),
    path("schools/<uuid:code>/analytics/<slug:table>.<exportfmt:fmt>", views.school_export,
         name="one_school_export"),
]
