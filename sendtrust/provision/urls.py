from django.urls import path

from sendtrust.provision import views

app_name = "provision"
urlpatterns = [
    path("trusts/<uuid:code>/provision/", views.catalogue, name="catalogue"),
    path("trusts/<uuid:code>/provision/interventions/new/", views.add_intervention,
         name="add_intervention"),
    path("trusts/<uuid:code>/provision/measures/new/", views.add_measure, name="add_measure"),
    path("trusts/<uuid:code>/provision/map/", views.trust_map, name="trust_map"),
    path("trusts/<uuid:code>/provision/impact/", views.impact, name="impact"),
    path("trusts/<uuid:code>/provision/funding/", views.funding, name="funding"),
    path("trusts/<uuid:code>/provision/funding/budget/", views.set_budget, name="set_budget"),
    path("trusts/<uuid:code>/provision/element-2/", views.element2_trust,
         name="element2_trust"),
    path("trusts/<uuid:code>/provision/ehc-hours/", views.ehc_hours_trust,
         name="ehc_hours_trust"),
    path("trusts/<uuid:code>/provision/expertise/", views.expertise, name="expertise"),
    path("trusts/<uuid:code>/provision/expertise/new/", views.add_qualification,
         name="add_qualification"),
    path("schools/<uuid:code>/provision/", views.school_provision, name="school"),
    path("schools/<uuid:code>/provision/map.<str:fmt>", views.export_school_map,
         name="export_school_map"),
    path("schools/<uuid:code>/provision/interventions/new/", views.add_school_intervention,
         name="add_school_intervention"),
    path("schools/<uuid:code>/provision/groups/new/", views.add_group, name="add_group"),
    path("schools/<uuid:code>/provision/element-2/", views.element2_school,
         name="element2_school"),
    path("schools/<uuid:code>/provision/ehc-hours/", views.ehc_hours_school,
         name="ehc_hours_school"),
    path("provision/groups/<uuid:code>/", views.group_detail, name="group"),
    path("provision/groups/<uuid:code>/enrol/", views.enrol_pupil, name="enrol_pupil"),
    path("provision/groups/<uuid:code>/sessions/", views.record_session,
         name="record_session"),
    path("provision/enrolments/<uuid:code>/scores/", views.edit_scores, name="edit_scores"),
    path("pupils/<uuid:code>/provision/new/", views.add_individual, name="add_individual"),
    path("pupils/<uuid:code>/provision/ehc-hours/", views.set_ehc_hours, name="set_ehc_hours"),
]
