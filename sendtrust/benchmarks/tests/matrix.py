"""Who may reach each route of the national picture, read by the permission matrix
(sendtrust/access/tests/test_permission_matrix.py, once "benchmarks" is in its AREAS).

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). The national picture shows published DfE figures only: everyone
signed in reads the page, its downloads and its API routes; anonymous users are sent to sign
in (pages) or get 401 (API).
"""

from sendtrust.testing import ROLES

EVERYONE = {None: (set(ROLES), set())}

ROUTES = {
    "national:picture": ("get", EVERYONE, lambda c, o: "/national/"),
    "national:export": ("get", EVERYONE, lambda c, o: "/national/ehc-plans.csv"),
    "national:export:xlsx": ("get", EVERYONE, lambda c, o: "/national/timeliness.xlsx"),
    "api:list_national_figures": ("get", EVERYONE, lambda c, o: "/api/v1/national/"),
    "api:get_national_figure": ("get", EVERYONE, lambda c, o: "/api/v1/national/placement"),
}


def build_objects(cast):
    """Nothing to add: the routes read DfE figures, which need no trust objects."""
    return cast


def post_data(cast, route, obj):
    return {}
