from django.urls import path

from sendtrust.support import family, school_views, views

app_name = "support"
urlpatterns = [
    # A pupil's support (staff and visiting professionals).
    path("pupils/<uuid:code>/support/", views.pupil_support, name="pupil_support"),
    path("pupils/<uuid:code>/support/new/", views.add_plan, name="add_plan"),
    path("pupils/<uuid:code>/profile/", views.edit_profile, name="edit_profile"),
    path("pupils/<uuid:code>/profile/print/", views.profile_print, name="profile_print"),
    path("pupils/<uuid:code>/conversations/new/", views.add_conversation,
         name="add_conversation"),
    path("pupils/<uuid:code>/reports/new/", views.add_report, name="add_report"),
    path("pupils/<uuid:code>/chronology/", views.chronology, name="chronology"),
    path("pupils/<uuid:code>/chronology/new/", views.add_chronology, name="add_chronology"),
    path("support-plans/<uuid:code>/", views.plan_detail, name="plan_detail"),
    path("support-plans/<uuid:code>/edit/", views.edit_plan, name="edit_plan"),
    path("support-plans/<uuid:code>/review/", views.review_plan, name="review_plan"),
    path("support-plans/<uuid:code>/voice/", views.pupil_voice, name="pupil_voice"),
    path("support-plans/<uuid:code>/support-plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("conversations/<uuid:code>/", views.conversation_detail, name="conversation"),
    path("conversations/<uuid:code>/edit/", views.edit_conversation,
         name="edit_conversation"),
    path("reports/<uuid:code>/", views.report_detail, name="report"),
    path("reports/<uuid:code>/accept/", views.accept_report, name="accept_report"),
    path("documents/<uuid:code>/", views.download_document, name="download_document"),
    # Worklists and the trust view.
    path("schools/<uuid:code>/support/", school_views.school_worklist, name="school_worklist"),
    path("trusts/<uuid:code>/support/", school_views.trust_support, name="trust_support"),
    path("trusts/<uuid:code>/support/support-plans.<str:fmt>",
         school_views.trust_support_export, name="trust_support_export"),
    # Families.
    path("family/", family.family_home, name="family_home"),
    path("family/<uuid:code>/", family.family_child, name="family_child"),
    path("family/<uuid:code>/views/", family.family_views, name="family_views"),
    path("family/<uuid:code>/ask/", family.family_request, name="family_request"),
    path("family/<uuid:code>/support-plan.pdf", family.family_plan_pdf,
         name="family_plan_pdf"),
]
