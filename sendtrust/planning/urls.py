from django.urls import path

from sendtrust.ops import reports as ops_reports
from sendtrust.planning import report, views

app_name = "planning"
urlpatterns = [
    path("trusts/<uuid:code>/plan/", views.plan_page, name="plan"),
    path("trusts/<uuid:code>/plan/print/", views.plan_print, name="plan_print"),
    # The PDF is made in the worker: the button POSTs here, then its page and file.
    path("trusts/<uuid:code>/plan/pdf/", views.plan_pdf, name="plan_pdf"),
    path("trusts/<uuid:code>/plan/pdf/<uuid:job>/", ops_reports.job_page,
         {"report": report.PLAN_PDF}, name="plan_pdf_job"),
    path("trusts/<uuid:code>/plan/pdf/<uuid:job>/send-plan.pdf", ops_reports.download,
         {"report": report.PLAN_PDF}, name="plan_pdf_download"),
    path("trusts/<uuid:code>/plan/goals/new/", views.add_goal, name="add_goal"),
    path("plan/goals/<uuid:code>/edit/", views.edit_goal, name="edit_goal"),
    path("plan/goals/<uuid:code>/delete/", views.delete_goal, name="delete_goal"),
    path("plan/goals/<uuid:code>/criteria/new/", views.add_criterion, name="add_criterion"),
    path("plan/criteria/<uuid:code>/edit/", views.edit_criterion, name="edit_criterion"),
    path("plan/criteria/<uuid:code>/delete/", views.delete_criterion, name="delete_criterion"),
    path("plan/goals/<uuid:code>/actions/new/", views.add_action, name="add_action"),
    path("plan/actions/<uuid:code>/", views.action_detail, name="action_detail"),
    path("plan/actions/<uuid:code>/edit/", views.edit_action, name="edit_action"),
    path("plan/actions/<uuid:code>/delete/", views.delete_action, name="delete_action"),
    path("plan/actions/<uuid:code>/progress/", views.record_progress, name="record_progress"),
    path("plan/mine/", views.my_actions, name="my_actions"),
]
