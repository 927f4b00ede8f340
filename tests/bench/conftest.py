"""The DfE-file fixtures the comparator's fairness test shares with the loaders' tests."""

from sendtrust.benchmarks.tests.conftest import copy_file, copy_head, loader_for  # noqa: F401
