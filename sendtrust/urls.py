from django.contrib.auth import views as auth_views
from django.urls import include, path

from sendtrust.access import views as access_views
from sendtrust.api.urls import api
from sendtrust.ops.health import health
from sendtrust.organisations import home as org_home
from sendtrust.organisations import views as org_views
from sendtrust.people.views import signin as people_signin
from sendtrust.pupils import views as pupil_views

urlpatterns = [
    path("", org_home.home, name="home"),
    path("login/", people_signin.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("trusts/<uuid:code>/", org_views.trust_overview, name="trust_overview"),
    path("trusts/<uuid:code>/audit/", access_views.audit_log, name="audit_log"),
    path("schools/<uuid:code>/register/", pupil_views.school_register, name="school_register"),
    path("pupils/", pupil_views.my_pupils, name="my_pupils"),
    path("pupils/<uuid:code>/", pupil_views.pupil_record, name="pupil_record"),
    path("", include("sendtrust.imports.urls")),
    path("", include("sendtrust.benchmarks.urls")),
    path("", include("sendtrust.evaluation.urls")),
    path("", include("sendtrust.analytics.urls")),
    path("", include("sendtrust.analytics.national_urls")),
    path("", include("sendtrust.planning.urls")),
    path("", include("sendtrust.quality.urls")),
    path("", include("sendtrust.public.urls")),
    path("", include("sendtrust.support.urls")),
    path("", include("sendtrust.provision.urls")),
    path("", include("sendtrust.ehc.urls")),
    path("", include("sendtrust.people.urls")),
    path("api/v1/", api.urls),
    path("health/", health, name="health"),
]
