"""Who may reach the census import's background job page, read by the permission matrix
(sendtrust/access/tests/test_permission_matrix.py, once "imports" is in its AREAS).

A job's page shows its progress and then its result, which names pupils: only the person who
started it sees it, and only while they may still import into that school. Others with the
right to import there (the trust's SEND leader) get 404, as for a page that does not exist.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.ops.models import Job
from sendtrust.testing import ROLES

TRUST_A_MEMBERS = set(ROLES) - {"other_trust_senco", "no_role"}

ROUTES = {
    "import_job": ("get", {
        "import_job_a": ({"senco_a"}, TRUST_A_MEMBERS - {"send_leader", "senco_a"}),
    }, lambda c, o: f"/schools/{o.school.code}/import/jobs/{o.code}/"),
}


def build_objects(cast):
    cast.import_job_a = Job.objects.create(
        kind="census_import", created_by=cast.users["senco_a"], school=cast.school_a,
        payload=b"UPN,Surname\r\n", payload_name="census.csv")
    return cast


def post_data(cast, route, obj):
    return {"file": SimpleUploadedFile("census.csv", b"UPN\r\n")}
