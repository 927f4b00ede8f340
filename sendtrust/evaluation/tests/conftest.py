"""The benchmark fixtures (the real DfE files, loaded once per session) for evidence tests."""

from sendtrust.benchmarks.tests.conftest import _session_load, data_dir, loaded  # noqa: F401
