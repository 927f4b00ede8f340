"""The read API under /api/v1/: the same policy as the pages."""

import copy
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import paginate

from sendtrust.access import policy
from sendtrust.access.audit import log_action
from sendtrust.access.policy import Action
from sendtrust.analytics.figures import school_rates
from sendtrust.api.auth import AUTH
from sendtrust.api.pagination import AuditedLimitOffset
from sendtrust.api.schemas import ErrorOut, PupilDetailOut, PupilOut, SchoolOut, school_out
from sendtrust.organisations.models import School
from sendtrust.pupils.models import Provision


class CachedSchemaAPI(NinjaAPI):
    """The OpenAPI schema is built once per process and path prefix, not for every request to
    /api/v1/openapi.json: it describes the routes and schemas, which are fixed once ninja has
    generated the URLs (about 0.2 s of CPU to build, 20 ms to copy). Each caller gets its own
    copy to change."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if getattr(self, "_bound_routers_cache", None) is None:
            # URLs not generated yet: routers may still be added (ninja refuses them after).
            return super().get_openapi_schema(path_prefix=path_prefix)
        cache = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return copy.deepcopy(cache[path_prefix])


api = CachedSchemaAPI(
    title="sendtrust API",
    version="1",
    description="Read API for schools, pupils and SEN history. Session or bearer-token auth.",
    auth=AUTH,
    urls_namespace="api",
    # The docs page is for signed-in people only, with Swagger UI served from ninja's own
    # static files (ninja is in INSTALLED_APPS), never from a CDN.
    docs_decorator=lambda view: require_safe(login_required(view)),
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "You do not have access to this"}, status=403)


@api.get("/schools", response=list[SchoolOut], tags=["schools"])
def list_schools(request):
    """Schools whose figures the user may see, from the one analytics source: counts and
    rates withheld from trustees exactly as on the overview, with like-for-like comparators."""
    user = request.user
    schools = (
        School.objects.filter(pk__in=policy.schools_for(user, Action.SCHOOL_REGISTER))
        | School.objects.filter(trust__in=policy.trusts_for(user))
    ).select_related("trust").distinct().order_by("name")
    figures_of, rates_by_trust = {}, {}
    for s in schools:
        if s.trust_id not in rates_by_trust:
            hide = policy.is_aggregate_only(user, s.trust)
            rates_by_trust[s.trust_id] = school_rates(s.trust, hide=hide)
            figures_of.update({f.school.pk: f for f in rates_by_trust[s.trust_id].rows})
    return [school_out(s, figures_of[s.pk]) for s in schools]


class PupilFilter(Schema):
    school: UUID | None = None
    sen_provision: Provision | None = None


@api.get("/pupils", response={200: list[PupilOut], 403: ErrorOut, 404: ErrorOut},
         tags=["pupils"])
@paginate(AuditedLimitOffset, audit_action="api.pupils.listed")
def list_pupils(request, filters: Query[PupilFilter]):
    """Pupils the user may read, filterable by school and SEN status."""
    school = None
    if filters.school:
        school = policy.get_school_for_user(request, filters.school, Action.SCHOOL_REGISTER)
    qs = policy.visible_pupils(request.user, school).select_related("school", "primary_need")
    if filters.sen_provision:
        qs = qs.filter(sen_provision=filters.sen_provision)
    return qs.order_by("surname", "forename", "id")


@api.get("/pupils/{code}", response={200: PupilDetailOut, 403: ErrorOut, 404: ErrorOut},
         tags=["pupils"])
def get_pupil(request, code: UUID):
    """One pupil with their whole SEN history; every read is audited."""
    pupil = policy.get_pupil_for_user(request, code)
    log_action(request, "pupil.record.viewed", pupil=pupil, via="api")
    pupil.history = list(
        pupil.episodes.select_related("primary_need", "secondary_need").order_by("starts_on", "id")
    )
    return pupil


# Routers kept in their own modules, one per area; each checks the same policy as its pages.
from sendtrust.api import (  # noqa: E402
    analytics,
    ehc,
    evaluation,
    national,
    planning,
    provision,
    support,
)

api.add_router("/evaluation", evaluation.router)
api.add_router("/plan", planning.router)
api.add_router("/analytics", analytics.router)
api.add_router("/support", support.router)
api.add_router("/provision", provision.router)
api.add_router("/ehc", ehc.router)
api.add_router("/national", national.router)
