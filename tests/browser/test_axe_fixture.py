"""The `axe` fixture itself: it must still fail on a violation (it reports violations only)."""

import pytest

pytestmark = pytest.mark.browser


def test_axe_fails_on_a_page_with_a_violation_and_names_the_rule(page, axe):
    page.set_content('<html lang="en"><title>t</title><main><h1>Photos</h1>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        axe(page)
    page.set_content('<html lang="en"><title>t</title><main><h1>Photos</h1>'
                     '<img alt="A pixel" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main>'
                     '</html>')
    assert axe(page)["violations"] == []
