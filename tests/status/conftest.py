"""The two-replica fixture (tests/status/test_status_current.py) for every status test."""

from tests.status.test_status_current import replicas  # noqa: F401 - a fixture
