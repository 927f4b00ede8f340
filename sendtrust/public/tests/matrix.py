"""Who may reach each route of this area, read by sendtrust/access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. See sendtrust/evaluation/tests/matrix.py.

Trust SEND leaders, executives and headteachers may list the GIAS trusts and build a
read-only profile (policy.decide_public_build); other members get 403, anonymous users are
sent to sign in.
"""

from django.utils import timezone

from sendtrust.benchmarks.models import Dataset, Establishment
from sendtrust.testing import ROLES

BUILDERS = {"send_leader", "executive", "headteacher_a"}
LEADERS_ONLY = {None: (BUILDERS, set(ROLES) - BUILDERS - {"no_role"})}
CODE = "TR09999"

ROUTES = {
    "public:trust_list": ("get", LEADERS_ONLY, lambda c, o: "/public-trusts/"),
    "public:build_trust": ("post", LEADERS_ONLY, lambda c, o: "/public-trusts/build/"),
}


def build_objects(cast):
    """A one-trust GIAS extract, as the GIAS loader would have stored it: added to the real
    GIAS file's dataset when the test database holds the DfE files already (one key each)."""
    key = "gias-london-2025/london_schools_gias.csv"
    dataset = Dataset.objects.filter(key=key).first() or Dataset.objects.create(
        key=key, family="gias",
        title="GIAS (permission matrix fixture)", file_name="london_schools_gias.csv",
        sha256="0" * 64, loaded_at=timezone.now(),
    )
    Establishment.objects.create(
        urn="700001", name="Matrix Academy", la_code="202", la_name="Camden",
        type_name="Academy converter", phase="Primary", trust_code=CODE,
        trust_name="MATRIX TRUST", pupils=300, dataset=dataset,
    )
    return cast


def post_data(cast, route, obj):
    return {"code": CODE}
