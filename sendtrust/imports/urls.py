from django.urls import path, register_converter

from sendtrust.imports import views


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "export_format")

urlpatterns = [
    path("schools/<uuid:code>/import/", views.import_pupils, name="import_pupils"),
    path("schools/<uuid:code>/import/jobs/<uuid:job>/", views.import_job, name="import_job"),
    path("schools/<uuid:code>/import/template.csv", views.import_template,
         name="import_template"),
    # One name for both formats: {% url 'export_register' school.code 'xlsx' %}.
    path("schools/<uuid:code>/register.<export_format:fmt>", views.export_register,
         name="export_register"),
]
