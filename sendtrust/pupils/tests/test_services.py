import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sendtrust.access.models import AuditEntry
from sendtrust.lib.upn import upn_error
from sendtrust.pupils.models import Provision, Pupil, SenEpisode
from sendtrust.testing import PupilFactory, give_status, need


@pytest.mark.django_db
def test_a_change_opens_a_new_episode_and_keeps_the_old():
    pupil = PupilFactory()
    give_status(pupil, "K", "SLCN", on=dt.date(2024, 1, 10))
    give_status(pupil, "E", "ASD", "SLCN", on=dt.date(2025, 3, 1))
    episodes = list(pupil.episodes.order_by("starts_on"))
    assert [(e.provision, e.starts_on, e.ends_on) for e in episodes] == [
        ("K", dt.date(2024, 1, 10), dt.date(2025, 2, 28)),
        ("E", dt.date(2025, 3, 1), None),
    ]
    pupil.refresh_from_db()
    assert pupil.sen_provision == "E" and pupil.primary_need.code == "ASD"
    assert AuditEntry.objects.filter(action="pupil.status.changed").count() == 2


@pytest.mark.django_db
def test_the_same_status_changes_nothing():
    pupil = PupilFactory()
    give_status(pupil, "K", "SLCN")
    assert give_status(pupil, "K", "SLCN", on=dt.date(2025, 1, 1)) is None
    assert pupil.episodes.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "provision,primary,secondary,field",
    [
        ("N", "SLCN", None, "primary_need"),
        ("K", None, None, "primary_need"),
        ("E", "NSA", None, "primary_need"),
        ("K", "SLCN", "SLCN", "secondary_need"),
        ("X", None, None, "provision"),
    ],
)
def test_census_rules_are_enforced(provision, primary, secondary, field):
    pupil = PupilFactory()
    with pytest.raises(ValidationError) as e:
        give_status(pupil, provision, primary, secondary)
    assert field in e.value.message_dict
    assert not pupil.episodes.exists()


@pytest.mark.django_db
def test_a_change_cannot_predate_the_current_status():
    pupil = PupilFactory()
    give_status(pupil, "K", "SLCN", on=dt.date(2024, 1, 10))
    with pytest.raises(ValidationError):
        give_status(pupil, "E", "ASD", on=dt.date(2023, 1, 1))
    assert pupil.episodes.get().ends_on is None


@pytest.mark.django_db
def test_the_database_allows_one_open_episode():
    pupil = PupilFactory()
    give_status(pupil, "K", "SLCN")
    with pytest.raises(IntegrityError), transaction.atomic():
        SenEpisode.objects.create(pupil=pupil, provision="E", primary_need=need("ASD"),
                                  starts_on=dt.date(2024, 2, 1))


@pytest.mark.django_db
def test_need_codes_are_data_and_open_to_additions():
    from sendtrust.pupils.models import NeedType

    codes = set(NeedType.objects.values_list("code", flat=True))
    assert {"SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD",
            "OTH", "NSA", "DS"} <= codes
    NeedType.objects.create(code="NEW", label="A need added later", broad_area="Other")
    pupil = PupilFactory()
    give_status(pupil, Provision.SUPPORT, "NEW")
    assert Pupil.objects.get(pk=pupil.pk).primary_need.code == "NEW"


@pytest.mark.parametrize("upn,ok", [
    ("B801200005001", True),
    ("A801200005001", False),  # check letter wrong
    ("B80120000500", False),   # too short
    ("B999200005001", False),  # no such LA
    ("", False),
])
def test_upn_check_letter(upn, ok):
    assert (upn_error(upn) is None) == ok
