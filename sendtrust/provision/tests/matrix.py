"""Who may reach each route of the provision app; read by access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. Rows ending ":post" send the route a valid
POST (allowed roles get a redirect).

Catalogue: SEND leader and executive, and the trust's headteachers and SENCOs; only the SEND
leader adds to the core offer, a SENCO adds their school's own. A school's provision: trust
leaders and the school's staff (teachers and TAs see only the pupils they teach); groups,
enrolments, scores, sessions and individual provision are changed by the SEND leader and the
school's SENCO. Trust figures: SEND leader, executive and trustees (suppressed).
"""

import datetime as dt
from decimal import Decimal

from sendtrust.provision import services
from sendtrust.provision.models import MeasureKind
from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
SL, EX, TR = "send_leader", "executive", "trustee"
HT_A, SENCO_A, SENCO_B = "headteacher_a", "senco_a", "senco_b"
STAFF_A = {HT_A, SENCO_A, "teacher_a", "ta_a"}


def only(*allowed_sets):
    """Cases for trust-A objects: these roles succeed, the other members of trust A get 403."""
    allowed = set().union(*allowed_sets)
    return (allowed, TRUST_A_MEMBERS - allowed)


OTHER_OK = ({"other_trust_senco"}, set())
OTHER_NO = (set(), {"other_trust_senco"})

CATALOGUE = {"trust": only({SL, EX, HT_A, SENCO_A, SENCO_B}), "other_trust": OTHER_OK}
TRUST_EDIT = {"trust": only({SL}), "other_trust": OTHER_NO}
TRUST_FIGURES = {"trust": only({SL, EX, TR}), "other_trust": OTHER_NO}
TRUST_NAMED = {"trust": only({SL, EX}), "other_trust": OTHER_NO}
IMPACT = {"trust": only({SL, EX, TR, HT_A, SENCO_A, SENCO_B}), "other_trust": OTHER_OK}
SCHOOL_VIEW = {"school_a": only({SL, EX}, STAFF_A), "school_b": only({SL, EX, SENCO_B}),
               "other_school": OTHER_OK}
GROUP_VIEW = {"group_a": only({SL, EX}, STAFF_A), "group_other": OTHER_OK}
SCHOOL_MANAGE = {"school_a": only({SL, SENCO_A}), "school_b": only({SL, SENCO_B}),
                 "other_school": OTHER_OK}
GROUP_MANAGE = {"group_a": only({SL, SENCO_A}), "group_other": OTHER_OK}
ENROLMENT_MANAGE = {"enrolment_a1": only({SL, SENCO_A}), "enrolment_other": OTHER_OK}
SCHOOL_EXPORT = {"school_a": only({SL, HT_A, SENCO_A}), "school_b": only({SL, SENCO_B}),
                 "other_school": OTHER_OK}
SCHOOL_NAMED = {"school_a": only({SL, EX, HT_A, SENCO_A}), "school_b": only({SL, EX, SENCO_B}),
                "other_school": OTHER_OK}
PUPIL_MANAGE = {"pupil_a1": only({SL, SENCO_A}), "pupil_b1": only({SL, SENCO_B}),
                "other_pupil": OTHER_OK}
EHC_MANAGE = {"pupil_a2": only({SL, SENCO_A}), "other_ehc_pupil": OTHER_OK}


def _t(suffix):
    return lambda c, o: f"/trusts/{o.code}/provision/{suffix}"


def _s(suffix):
    return lambda c, o: f"/schools/{o.code}/provision/{suffix}"


ROUTES = {
    "provision:catalogue": ("get", CATALOGUE, _t("")),
    "provision:add_intervention": ("get", TRUST_EDIT, _t("interventions/new/")),
    "provision:add_intervention:post": ("post", TRUST_EDIT, _t("interventions/new/")),
    "provision:add_measure": ("get", TRUST_EDIT, _t("measures/new/")),
    "provision:add_measure:post": ("post", TRUST_EDIT, _t("measures/new/")),
    "provision:trust_map": ("get", TRUST_FIGURES, _t("map/")),
    "provision:trust_map:csv": ("get", TRUST_FIGURES, _t("map/?format=csv")),
    "provision:impact": ("get", IMPACT, _t("impact/")),
    "provision:funding": ("get", TRUST_FIGURES, _t("funding/")),
    "provision:set_budget": ("get", TRUST_EDIT, _t("funding/budget/")),
    "provision:set_budget:post": ("post", TRUST_EDIT, _t("funding/budget/")),
    "provision:element2_trust": ("get", TRUST_NAMED, _t("element-2/")),
    "provision:ehc_hours_trust": ("get", TRUST_NAMED, _t("ehc-hours/")),
    "provision:expertise": ("get", CATALOGUE, _t("expertise/")),
    "provision:add_qualification": ("get", TRUST_EDIT, _t("expertise/new/")),
    "provision:add_qualification:post": ("post", TRUST_EDIT, _t("expertise/new/")),
    "provision:school_provision": ("get", SCHOOL_VIEW, _s("")),
    "provision:export_school_map": ("get", SCHOOL_EXPORT, _s("map.csv")),
    "provision:export_school_map:xlsx": ("get", SCHOOL_EXPORT, _s("map.xlsx")),
    "provision:add_school_intervention": ("get", SCHOOL_MANAGE, _s("interventions/new/")),
    "provision:add_school_intervention:post": ("post", SCHOOL_MANAGE,
                                               _s("interventions/new/")),
    "provision:add_group": ("get", SCHOOL_MANAGE, _s("groups/new/")),
    "provision:add_group:post": ("post", SCHOOL_MANAGE, _s("groups/new/")),
    "provision:import_provision": ("get", SCHOOL_MANAGE, _s("import/")),
    "provision:import_provision:post": ("post", SCHOOL_MANAGE, _s("import/")),
    "provision:element2_school": ("get", SCHOOL_NAMED, _s("element-2/")),
    "provision:ehc_hours_school": ("get", SCHOOL_NAMED, _s("ehc-hours/")),
    "provision:group": ("get", GROUP_VIEW, lambda c, o: f"/provision/groups/{o.code}/"),
    "provision:enrol_pupil": ("post", GROUP_MANAGE,
                              lambda c, o: f"/provision/groups/{o.code}/enrol/"),
    "provision:record_session": ("post", GROUP_MANAGE,
                                 lambda c, o: f"/provision/groups/{o.code}/sessions/"),
    "provision:edit_scores": ("get", ENROLMENT_MANAGE,
                              lambda c, o: f"/provision/enrolments/{o.code}/scores/"),
    "provision:edit_scores:post": ("post", ENROLMENT_MANAGE,
                                   lambda c, o: f"/provision/enrolments/{o.code}/scores/"),
    "provision:add_individual": ("get", PUPIL_MANAGE,
                                 lambda c, o: f"/pupils/{o.code}/provision/new/"),
    "provision:add_individual:post": ("post", PUPIL_MANAGE,
                                      lambda c, o: f"/pupils/{o.code}/provision/new/"),
    "provision:set_ehc_hours": ("get", EHC_MANAGE,
                                lambda c, o: f"/pupils/{o.code}/provision/ehc-hours/"),
    "provision:set_ehc_hours:post": ("post", EHC_MANAGE,
                                     lambda c, o: f"/pupils/{o.code}/provision/ehc-hours/"),
    "api:provision_school_groups": (
        "get", SCHOOL_VIEW, lambda c, o: f"/api/v1/provision/schools/{o.code}/groups"),
    "api:provision_group": ("get", GROUP_VIEW,
                            lambda c, o: f"/api/v1/provision/groups/{o.code}"),
    "api:provision_enrol": ("post", GROUP_MANAGE,
                            lambda c, o: f"/api/v1/provision/groups/{o.code}/enrolments"),
    "api:provision_scores": ("post", ENROLMENT_MANAGE,
                             lambda c, o: f"/api/v1/provision/enrolments/{o.code}/scores"),
    "api:provision_impact": ("get", IMPACT,
                             lambda c, o: f"/api/v1/provision/trusts/{o.code}/impact"),
    "api:provision_trust_map": ("get", TRUST_FIGURES,
                                lambda c, o: f"/api/v1/provision/trusts/{o.code}/map"),
}


def build_measure(trust, name="Standardised reading score"):
    return services.create_measure(
        trust, request=None, name=name, kind=MeasureKind.STANDARDISED, unit="points",
        minimum=Decimal(40), maximum=Decimal(160), higher_is_better=True,
        max_decline=Decimal(15), expected_gain=Decimal(5))


def build_group(school, measure, name="Reading boost"):
    intervention = services.create_intervention(
        school.trust, request=None, name=name, area="Cognition and learning", measure=measure,
        group_size=6, sessions_per_week=3, minutes_per_session=30, weeks=10, staff_role="ta")
    start = dt.date.today() - dt.timedelta(days=30)
    return services.create_group(school, request=None, intervention=intervention,
                                 name=f"{name} group", starts_on=start,
                                 ends_on=start + dt.timedelta(weeks=10))


def build_objects(cast):
    """A measure, an intervention and a group with pupil_a1 in trust A; the same elsewhere."""
    from sendtrust.provision.tests.factories import ehc_pupil

    cast.measure_a = build_measure(cast.trust)
    cast.measure_other = build_measure(cast.other_trust)
    cast.group_a = build_group(cast.school_a, cast.measure_a)
    cast.group_other = build_group(cast.other_school, cast.measure_other)
    cast.enrolment_a1 = services.enrol_pupil(cast.group_a, cast.pupil_a1, request=None,
                                             entry_score=Decimal(85))
    cast.enrolment_other = services.enrol_pupil(cast.group_other, cast.other_pupil,
                                                request=None, entry_score=Decimal(90))
    cast.other_ehc_pupil = ehc_pupil(cast.other_school)
    return cast


def _trust_of(cast, obj):
    for attr in ("trust", "school"):
        target = getattr(obj, attr, None)
        if target is not None:
            return target if attr == "trust" else target.trust
    return obj


def post_data(cast, route, obj):
    today = dt.date.today()
    trust = _trust_of(cast, obj)
    mine = trust.pk == cast.trust.pk
    measure = cast.measure_a if mine else cast.measure_other
    group = cast.group_a if mine else cast.group_other
    if route in ("provision:add_intervention:post", "provision:add_school_intervention:post"):
        return {"name": "Matrix intervention", "area": "Cognition and learning",
                "group_size": 4, "sessions_per_week": 2, "minutes_per_session": 20,
                "weeks": 8, "staff_role": "ta", "evidence_strength": "none",
                "cost_model": "staff_time", "cost_per_pupil": "0", "measure": measure.pk}
    if route == "provision:add_measure:post":
        return {"name": "Spelling age", "kind": "age_months", "unit": "months",
                "minimum": "48", "maximum": "200", "higher_is_better": "on",
                "expected_gain": "3"}
    if route == "provision:set_budget:post":
        return {"school": cast.school_a.pk, "year": 2025, "amount": "120000",
                "ta_in_class_hours": "40"}
    if route == "provision:add_qualification:post":
        return {"person": cast.users["teacher_a"].pk, "kind": "intervention",
                "title": "Precision teaching", "awarded_on": "2024-09-01"}
    if route == "provision:add_group:post":
        return {"intervention": group.intervention.pk, "name": "New group",
                "staff_role": "ta", "sessions_per_week": 3, "minutes_per_session": 30,
                "starts_on": today.isoformat(),
                "ends_on": (today + dt.timedelta(weeks=8)).isoformat()}
    if route in ("provision:enrol_pupil", "api:provision_enrol"):
        pupil = cast.pupil_a2 if mine else cast.other_ehc_pupil
        data = {"pupil": pupil.pk, "entry_score": "88"}
        return data if route == "provision:enrol_pupil" else {"pupil": str(pupil.code),
                                                              "entry_score": 88}
    if route == "provision:record_session":
        enrolment = cast.enrolment_a1 if mine else cast.enrolment_other
        return {"held_on": today.isoformat(), "present": [enrolment.pk]}
    if route == "provision:edit_scores:post":
        return {"entry_score": "85", "exit_score": "93", "exit_on": today.isoformat()}
    if route == "api:provision_scores":
        return {"entry_score": 85, "exit_score": 93}
    if route == "provision:add_individual:post":
        return {"kind": "one_to_one", "area": "Communication and interaction",
                "description": "Speech practice", "hours_per_week": "2", "staff_role": "ta",
                "annual_cost": "0", "starts_on": today.isoformat()}
    if route == "provision:import_provision:post":
        from django.core.files.uploadedfile import SimpleUploadedFile

        pupil = {cast.school_a.pk: cast.pupil_a2, cast.school_b.pk: cast.pupil_b1}.get(
            obj.pk, cast.other_pupil)
        text = ("group,intervention,starts_on,upn,entry_score\n"
                f"Imported group,Reading boost,{today.isoformat()},{pupil.upn},90\n")
        return {"file": SimpleUploadedFile("groups.csv", text.encode(), "text/csv")}
    if route == "provision:set_ehc_hours:post":
        return {"hours_per_week": "15", "starts_on": today.isoformat()}
    return {}
