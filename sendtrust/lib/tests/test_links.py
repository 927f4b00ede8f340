"""One reverse() for a list's links gives each object the address reverse() would."""

import uuid

import pytest
from django.urls import reverse

from sendtrust.lib import links


@pytest.mark.parametrize("route", ["pupil_record", "ehc:journey", "analytics:one_school",
                                   "quality:for_school"])
def test_each_code_gets_the_address_reverse_gives(route):
    url = links.by_code(route)
    for code in (uuid.uuid4(), uuid.uuid4()):
        assert url(code) == reverse(route, args=[code])
