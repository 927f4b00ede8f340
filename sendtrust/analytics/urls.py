from django.urls import path, register_converter

from sendtrust.analytics import report, views
from sendtrust.ops import reports as ops_reports


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
    # The PDF report is made in the worker: the button POSTs here, then its page and file.
    path("trusts/<uuid:code>/analytics/report/", views.trust_report, name="trust_report"),
    path("trusts/<uuid:code>/analytics/report/<uuid:job>/", ops_reports.job_page,
         {"report": report.TRUST_REPORT}, name="trust_report_job"),
    path("trusts/<uuid:code>/analytics/report/<uuid:job>/send-analytics.pdf",
         ops_reports.download, {"report": report.TRUST_REPORT}, name="trust_report_download"),
    path("trusts/<uuid:code>/analytics/<slug:table>.<exportfmt:fmt>", views.trust_export,
         name="trust_export"),
    path("schools/<uuid:code>/analytics/", views.school_analytics, name="one_school"),
    path("schools/<uuid:code>/analytics/funnels/", views.school_funnels, name="one_school_funnels"),
    path("schools/<uuid:code>/analytics/<slug:table>.<exportfmt:fmt>", views.school_export,
         name="one_school_export"),
]
