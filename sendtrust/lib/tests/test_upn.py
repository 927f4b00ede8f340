import random

from hypothesis import given
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from sendtrust.lib.upn import _check_letter, make_upn, upn_error


def test_fast_path_agrees_with_stdnum_on_valid_and_nearly_valid_upns():
    rng = random.Random(3)
    for _ in range(3000):
        upn = make_upn(rng.randrange(1000), rng.randrange(10000), rng.randrange(100),
                       rng.randrange(1000))
        # Change one character half the time: a wrong check letter, LA or digit.
        if rng.random() < 0.5:
            i = rng.randrange(13)
            upn = upn[:i] + rng.choice("0123456789ABCZ") + upn[i + 1:]
        assert (upn_error(upn) is None) == stdnum_upn.is_valid(upn), upn


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUVWXYZ abc-", max_size=16))
def test_any_text_gets_the_same_verdict_as_stdnum(text):
    assert (upn_error(text) is None) == stdnum_upn.is_valid(text)


def test_an_unknown_la_is_named():
    body = "999000000001"
    assert upn_error(stdnum_upn.calc_check_digit(body) + body) == (
        "the UPN's local authority number does not exist"
    )


@given(st.text(alphabet="0123456789", min_size=11, max_size=11),
       st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUVWXYZ"))
def test_check_letter_table_matches_stdnum(digits, last):
    body = digits + last
    assert _check_letter(body) == stdnum_upn.calc_check_digit(body)
