"""What each role sees inside the evaluation pages it may open.

Who may open which route is tested by the one permission matrix
(sendtrust/access/tests/test_permission_matrix.py, rows from matrix.py).
"""

from django.test import TestCase

from sendtrust.evaluation.tests.matrix import build_objects
from sendtrust.testing import build_cast


class EvaluationPermissionTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = build_objects(build_cast())

    def test_trustees_see_the_trust_unit_but_no_school(self):
        self.client.force_login(self.cast.users["trustee"])
        body = self.client.get(f"/evaluation/rounds/{self.cast.eval_round.code}/").content
        assert b"Trust" in body and b"Alder Primary" not in body and b"Heat map" not in body

    def test_school_leaders_see_only_their_unit_in_a_round(self):
        self.client.force_login(self.cast.users["senco_b"])
        body = self.client.get(f"/evaluation/rounds/{self.cast.eval_round.code}/").content
        assert b"Birch Academy" in body and b"Alder Primary" not in body
        listing = self.client.get(f"/trusts/{self.cast.trust.code}/evaluation/").content
        assert b"Autumn 2026" in listing and b"Summer 2026" not in listing
