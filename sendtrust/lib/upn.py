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
_LAST = frozenset("0123456789ABCDEFGHJKLMNPQRTUVWXYZ")
_DIGITS = frozenset("0123456789")


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
        and stdnum_upn.calc_check_digit(value[1:]) == value[0]
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
