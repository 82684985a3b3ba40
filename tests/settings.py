"""The test suite's settings: the platform's, plus a test-only mechanism (tests/mechanisms/)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.mechanisms.plain_requests"]
