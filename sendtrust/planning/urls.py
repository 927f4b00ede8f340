from django.urls import path

from sendtrust.planning import views

app_name = "planning"
urlpatterns = [
    path("trusts/<uuid:code>/plan/", views.plan_page, name="plan"),
    path("trusts/<uuid:code>/plan/print/", views.plan_print, name="plan_print"),
    path("trusts/<uuid:code>/plan/plan.pdf", views.plan_pdf, name="plan_pdf"),
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
