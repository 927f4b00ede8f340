"""UPN checks: the DfE check letter and LA number, through python-stdnum."""

from functools import cache

from stdnum import exceptions
from stdnum.gb import upn as stdnum_upn

# One message per way a UPN can be wrong, for an import error or a form.
_MESSAGES = {
    exceptions.InvalidLength: "a UPN has 13 characters",
    exceptions.InvalidFormat: "a UPN is a letter, 11 digits, then a digit or letter",
    exceptions.InvalidComponent: "the UPN's local authority number does not exist",
    exceptions.InvalidChecksum: "the UPN's check letter does not match",
}
# DfE's check letter: characters 2-13 weighted 2..13, each worth its place in this alphabet,
# summed mod 23, names a letter. stdnum implements the same rule with a str.index() per
# character; the table below makes the fast path about ten times cheaper, and the tests check
# that both agree on thousands of valid and nearly valid UPNs.
_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_WEIGHTED = [{c: w * v for c, v in _VALUE.items()} for w in range(2, 14)]
_LAST = frozenset("0123456789ABCDEFGHJKLMNPQRTUVWXYZ")
_DIGITS = frozenset("0123456789")


def _check_letter(body: str) -> str:
    w = _WEIGHTED
    return _ALPHABET[
        (w[0][body[0]] + w[1][body[1]] + w[2][body[2]] + w[3][body[3]] + w[4][body[4]]
         + w[5][body[5]] + w[6][body[6]] + w[7][body[7]] + w[8][body[8]] + w[9][body[9]]
         + w[10][body[10]] + w[11][body[11]]) % 23
    ]


def clean_upn(value: str) -> str:
    return stdnum_upn.compact(value or "")


@cache
def _la_numbers() -> frozenset[str]:
    """The LA numbers stdnum accepts, asked of its public validate() once per process."""
    valid = set()
    for la in range(1000):
        body = f"{la:03d}000000001"
        try:
            stdnum_upn.validate(stdnum_upn.calc_check_digit(body) + body)
        except exceptions.InvalidComponent:
            continue
        valid.add(f"{la:03d}")
    return frozenset(valid)


def upn_error(value: str) -> str | None:
    """Return why value is not a valid UPN, or None when it is."""
    # Fast path for the common case, a well-formed upper-case UPN: an import checks 100,000
    # of them, and stdnum's general clean-up costs more than the check itself. Anything that
    # is not plainly valid goes to stdnum, which also words the error.
    if (
        len(value) == 13
        and _DIGITS.issuperset(value[1:12])
        and value[12] in _LAST
        and value[1:4] in _la_numbers()
        and _check_letter(value[1:]) == value[0]
    ):
        return None
    try:
        stdnum_upn.validate(value or "")
    except exceptions.ValidationError as e:
        for kind, message in _MESSAGES.items():
            if isinstance(e, kind):
                return message
        return "not a valid UPN"
    return None


def make_upn(la: int, estab: int, year: int, serial: int) -> str:
    """Build a valid UPN (for synthetic data): check letter + LA + estab + year + serial."""
    body = f"{la:03d}{estab:04d}{year % 100:02d}{serial:03d}"
    return stdnum_upn.calc_check_digit(body) + body
