"""The registry of DfE file loaders, in the order they run (reference lists first)."""

from sendtrust.benchmarks.loaders import (
    census2019,
    ehcp2022,
    ehcp2025,
    gias,
    lait,
    outcomes,
    sen2023,
    sendap,
    vocab,
)

# dfe-vocab first: the others match local authority names and codes against it.
FAMILIES = [vocab, census2019, lait, ehcp2025, ehcp2022, sen2023, outcomes, sendap, gias]

LOADERS = [loader for family in FAMILIES for loader in family.LOADERS]
SKIPS = {path: reason for family in FAMILIES for path, reason in family.SKIPS.items()}
