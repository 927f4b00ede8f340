"""UPN checks: the DfE check letter and LA number, through python-stdnum."""

from stdnum import exceptions
from stdnum.gb import upn as stdnum_upn

# One message per way a UPN can be wrong, for an import error or a form.
_MESSAGES = {
    exceptions.InvalidLength: "a UPN has 13 characters",
    exceptions.InvalidFormat: "a UPN is a letter, 11 digits, then a digit or letter",
    exceptions.InvalidComponent: "the UPN's local authority number does not exist",
    exceptions.InvalidChecksum: "the UPN's check letter does not match",
}


def clean_upn(value: str) -> str:
    return stdnum_upn.compact(value or "")


def upn_error(value: str) -> str | None:
    """Return why value is not a valid UPN, or None when it is."""
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
    # The last character may be a digit or a letter; we use digits for synthetic data.
    body = body[:12]
    return stdnum_upn.calc_check_digit(body) + body
