"""The test suite's settings: the platform's, plus a test-only mechanism (tests/mechanisms/)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.mechanisms.plain_requests"]

# Tests run without DEBUG, like production: documents are signed with keys encrypted under this.
SIGNING_KEYS_SECRET = "the-test-suite-signing-secret-not-for-production"
