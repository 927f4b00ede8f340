"""Builders for provision tests on top of the shared cast (sendtrust.testing)."""

from sendtrust.pupils.models import Provision
from sendtrust.testing import PupilFactory, give_status


def ehc_pupil(school, **fields):
    """A pupil of school with an EHC plan (primary need ASD)."""
    pupil = PupilFactory(school=school, **fields)
    give_status(pupil, Provision.EHCP, "ASD")
    pupil.refresh_from_db()
    return pupil
