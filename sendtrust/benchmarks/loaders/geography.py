"""Places in DfE files: England, regions and local authorities, matched to one code system.

Figures use E92000001 for England, E12/E13 codes for regions and the old 3-digit DfE number
for local authorities, because that is what schools, GIAS and the census carry.
"""

from __future__ import annotations

import re

from sendtrust.benchmarks.loaders.base import Place
from sendtrust.benchmarks.models import Level, LocalAuthority

ENGLAND = Place(Level.NATIONAL, "E92000001", "England")

REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
    "E13000001": "Inner London",
    "E13000002": "Outer London",
}

# Names that differ between DfE files and dfe-vocab only in ways normalising cannot see.
LA_ALIASES = {
    "durham": "county durham",
    "bristol": "bristol city of",
    "herefordshire": "herefordshire county of",
    "kingston upon hull": "kingston upon hull city of",
    "hull": "kingston upon hull city of",
    "london inner": "inner london",
    "london outer": "outer london",
    "the city of london": "city of london",
    "bournemouth christchurch poole": "bournemouth christchurch and poole",
}


def normalise(name: str) -> str:
    """A name reduced to lower-case words, for matching across files."""
    text = name.lower().replace("&", " and ").replace("-", " ")
    text = re.sub(r"[^a-z0-9 ]", " ", text)
    text = " ".join(text.split())
    return LA_ALIASES.get(text, text)


class Places:
    """Looks up regions and local authorities by code or name; built from LocalAuthority rows."""

    def __init__(self) -> None:
        self.by_new: dict[str, LocalAuthority] = {}
        self.by_old: dict[str, LocalAuthority] = {}
        self.by_name: dict[str, LocalAuthority] = {}
        # Live rows last, so that they win over terminated ones with the same number or name.
        for la in LocalAuthority.objects.order_by("live", "valid_from"):
            self.by_new[la.new_code] = la
            self.by_old[la.old_code] = la
            self.by_name[normalise(la.name)] = la
        self.region_by_name = {normalise(name): code for code, name in REGIONS.items()}
        self.unmatched: set[str] = set()
        self.found: dict[tuple[str, str, str], Place | None] = {}

    def la(self, old: str = "", new: str = "", name: str = "") -> Place | None:
        """The LA as a Place, from whichever of old code, new code or name is known."""
        # Files repeat the same few hundred places on every row: look each up once.
        key = (old, new, name)
        if key not in self.found:
            self.found[key] = self._la(old.strip().removesuffix(".0"), new.strip(), name.strip())
        return self.found[key]

    def _la(self, old: str, new: str, name: str) -> Place | None:
        record = (
            self.by_old.get(old)
            if old
            else self.by_new.get(new) or self.by_name.get(normalise(name))
        )
        if old:
            return Place(Level.LA, old, name or (record.name if record else old), old)
        if record:
            return Place(Level.LA, record.old_code, name or record.name, record.old_code)
        self.unmatched.add(name or new)
        return None

    def region(self, code: str = "", name: str = "") -> Place | None:
        """The region as a Place, by E12/E13 code or by name."""
        key = ("region", code, name)
        if key not in self.found:
            self.found[key] = self._region(code, name)
        return self.found[key]

    def _region(self, code: str, name: str) -> Place | None:
        code = code or self.region_by_name.get(normalise(name), "")
        if not code:
            self.unmatched.add(name)
            return None
        return Place(Level.REGIONAL, code, name or REGIONS.get(code, code))

    def report_unmatched(self, ctx) -> None:
        """Warn about names that matched no region or LA (their rows were not loaded)."""
        if self.unmatched:
            names = ", ".join(sorted(self.unmatched))
            ctx.warn(f"{ctx.name}: no region or local authority found for: {names}; rows skipped")
