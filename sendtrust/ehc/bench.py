"""`make bench` entry for the ehc app (see sendtrust/bench.py)."""

from __future__ import annotations


def bench(report, *, quick: bool = False, data=None) -> None:
    """Measure this app's pages; nothing yet."""
