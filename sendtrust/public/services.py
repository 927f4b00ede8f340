"""Read-only trust profiles built from public data alone: GIAS establishments, no pupils.

`gias_trusts()` lists the trusts of the loaded GIAS extract; `build_public_trust(code)` creates
or refreshes one as a read-only `Trust` whose schools are the trust's establishments. The
management command and the page both call these, so they behave the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError

from sendtrust.benchmarks.models import Establishment
from sendtrust.organisations.models import School, Trust

LOAD_HINT = "benchmarks not loaded: run manage.py load_benchmarks DIR"

# GIAS PhaseOfEducation (name) -> School.Phase. "Not applicable" (special schools and
# alternative provision in GIAS) has no equivalent and is stored as "" (shown as such).
PHASES = {
    "primary": School.Phase.PRIMARY,
    "middle deemed primary": School.Phase.PRIMARY,
    "secondary": School.Phase.SECONDARY,
    "middle deemed secondary": School.Phase.SECONDARY,
    "nursery": School.Phase.NURSERY,
    "all-through": School.Phase.ALL_THROUGH,
    "16 plus": School.Phase.SIXTEEN_PLUS,
}


class PublicTrustError(Exception):
    """A profile that cannot be built; the message says why and what to do."""


def canonical_code(code: str) -> str:
    """The trust code as people write it: GIAS extracts hold numeric codes as '3320.0'."""
    code = (code or "").strip()
    if code.endswith(".0") and code[:-2].isdigit():
        code = code[:-2]
    return code.upper() if code[:2].lower() == "tr" else code


def _stored_codes(code: str) -> list[str]:
    """Every spelling of code an extract may hold ('3320' and '3320.0')."""
    code = canonical_code(code)
    return [code, f"{code}.0"] if code.isdigit() else [code]


def school_phase(gias_phase: str) -> str:
    return PHASES.get(gias_phase.strip().lower(), "")


def school_type(gias_type: str) -> str:
    """GIAS TypeOfEstablishment (name) -> School.Type."""
    name = gias_type.lower()
    if "special" in name:
        return School.Type.SPECIAL
    if "alternative provision" in name or "pupil referral" in name:
        return School.Type.ALTERNATIVE
    return School.Type.MAINSTREAM


@dataclass(frozen=True)
class GiasTrust:
    """One trust of the GIAS extract: its code, name, school count and local authorities."""

    code: str
    name: str
    schools: int
    pupils: int
    la_names: tuple[str, ...]
    profile: Trust | None = None


def gias_loaded() -> bool:
    return Establishment.objects.exists()


def gias_source() -> str:
    """The data folder path(s) of the loaded GIAS establishments, for messages."""
    keys = sorted(set(Establishment.objects.values_list("dataset__key", flat=True).distinct()))
    return ", ".join(keys) or "no file"


def gias_trusts(search: str = "") -> list[GiasTrust]:
    """Trusts in the loaded GIAS extract, largest first; search matches name or code.

    Two queries whatever the number of trusts: the establishments, and the profiles built.
    """
    rows = Establishment.objects.exclude(trust_code="")
    search = search.strip()
    if search:
        codes = _stored_codes(search)
        rows = rows.filter(trust_name__icontains=search) | rows.filter(trust_code__in=codes)
    groups: dict[str, dict] = defaultdict(lambda: {"name": "", "n": 0, "pupils": 0, "las": set()})
    for code, name, la_name, pupils in rows.values_list(
        "trust_code", "trust_name", "la_name", "pupils"
    ):
        g = groups[canonical_code(code)]
        g["name"] = g["name"] or name
        g["n"] += 1
        g["pupils"] += pupils or 0
        if la_name:
            g["las"].add(la_name)
    profiles = {
        t.group_uid: t
        for t in Trust.objects.filter(read_only=True, group_uid__in=list(groups))
    }
    trusts = [
        GiasTrust(code, g["name"], g["n"], g["pupils"], tuple(sorted(g["las"])),
                  profiles.get(code))
        for code, g in groups.items()
    ]
    return sorted(trusts, key=lambda t: (-t.schools, t.name))


@dataclass
class BuildResult:
    """What building a profile did: the trust and each school added, changed, left or skipped."""

    trust: Trust
    created: bool
    source: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # from another public profile
    removed: list[str] = field(default_factory=list)  # no longer in the trust per GIAS
    skipped: list[str] = field(default_factory=list)  # the URN belongs to a real trust

    def summary(self) -> list[str]:
        """Lines for people: what changed, and every school left out and why."""
        verb = "created" if self.created else "refreshed"
        lines = [
            f"{self.trust.name} ({self.trust.group_uid}) {verb} from {self.source}: "
            f"{self.trust.schools.count()} school(s); {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged"
        ]
        lines += [f"moved from another public profile: {s}" for s in self.moved]
        lines += [f"left the trust since the last build, removed: {s}" for s in self.removed]
        lines += [f"not added: {s}: this school cannot be shown in a public profile"
                  for s in self.skipped]
        return lines


SCHOOL_FIELDS = ("name", "phase", "type", "la_code", "la_name", "number_on_roll")


def _school_values(e: Establishment) -> dict:
    return {
        "name": e.name[:200],
        "phase": school_phase(e.phase),
        "type": school_type(e.type_name),
        "la_code": e.la_code[:3],
        "la_name": e.la_name[:100],
        "number_on_roll": e.pupils if e.pupils is not None and e.pupils >= 0 else None,
    }


@transaction.atomic
def build_public_trust(code: str) -> BuildResult:
    """Create or refresh the read-only trust for a GIAS trust code, all or nothing.

    A school already in a trust that holds pupils (not read-only) is never taken from it:
    it is skipped and reported. A school the extract no longer lists in the trust is removed
    from the profile and reported. Raises PublicTrustError when the extract is not loaded or
    has no such trust.
    """
    code = canonical_code(code)
    if not code:
        raise PublicTrustError("give a GIAS trust code, e.g. TR01234 or 3320")
    if not gias_loaded():
        raise PublicTrustError(LOAD_HINT)
    establishments = list(
        Establishment.objects.filter(trust_code__in=_stored_codes(code))
        .select_related("dataset")
        .order_by("urn")
    )
    if not establishments:
        raise PublicTrustError(f"no trust {code} in the GIAS extract loaded from {gias_source()}")
    source = ", ".join(sorted({e.dataset.title for e in establishments}))
    name = establishments[0].trust_name or f"GIAS trust {code}"
    trust = Trust.objects.select_for_update().filter(group_uid=code, read_only=True).first()
    created = trust is None
    if created:
        trust = Trust.objects.create(name=name[:200], group_uid=code, read_only=True)
    elif trust.name != name:
        trust.name = name[:200]
        trust.save(update_fields=["name"])
    result = BuildResult(trust=trust, created=created, source=source)

    urns = [e.urn for e in establishments]
    existing = {s.urn: s for s in School.objects.select_related("trust").filter(urn__in=urns)}
    for e in establishments:
        label = f"{e.name} (URN {e.urn})"
        values = _school_values(e)
        school = existing.get(e.urn)
        if school is None:
            School.objects.create(trust=trust, urn=e.urn, **values)
            result.added.append(label)
            continue
        if school.trust_id != trust.pk and not school.trust.read_only:
            result.skipped.append(label)  # never which trust holds it, nor that one does
            continue
        if school.trust_id != trust.pk:
            result.moved.append(f"{label}, from {school.trust.name}")
            school.trust = trust
        elif all(getattr(school, f) == v for f, v in values.items()):
            result.unchanged.append(label)
            continue
        else:
            result.updated.append(label)
        for f, v in values.items():
            setattr(school, f, v)
        school.save()

    for school in trust.schools.exclude(urn__in=urns).order_by("name"):
        try:
            school.delete()
        except ProtectedError as exc:
            raise PublicTrustError(
                f"{school.name} (URN {school.urn}) left trust {code} but has records that "
                f"keep it: {exc.protected_objects!r}"
            ) from None
        result.removed.append(f"{school.name} (URN {school.urn})")
    return result
