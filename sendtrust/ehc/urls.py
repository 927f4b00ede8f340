from django.urls import path

from sendtrust.ehc import importing, views

app_name = "ehc"
urlpatterns = [
    path("pupils/<uuid:code>/ehc/", views.journey, name="journey"),
    path("pupils/<uuid:code>/ehc/events/", views.record_event, name="record_event"),
    path("pupils/<uuid:code>/ehc/notes/", views.record_note, name="record_note"),
    path("schools/<uuid:code>/ehc/", views.school_worklist, name="school_worklist"),
    path("trusts/<uuid:code>/ehc/", views.trust_worklist, name="trust_worklist"),
    path("trusts/<uuid:code>/ehc/compliance/", views.trust_compliance, name="trust_compliance"),
    path("schools/<uuid:code>/ehc/compliance/", views.school_compliance,
         name="school_compliance"),
    path("trusts/<uuid:code>/ehc/transfers/", views.trust_transfers, name="trust_transfers"),
    path("schools/<uuid:code>/ehc/transfers/", views.school_transfers, name="school_transfers"),
    path("schools/<uuid:code>/ehc/import/", importing.import_events_view, name="import_events"),
    path("schools/<uuid:code>/ehc/import/template.csv", importing.import_template,
         name="import_template"),
    path("ehc/calendar/", views.calendar_settings, name="calendar"),
    path("ehc/calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
