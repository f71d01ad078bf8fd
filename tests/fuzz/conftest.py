# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis profiles for the fuzz tests in this directory.

``ci`` (the default) keeps the suite bounded: 200 examples per test, no per-example deadline (a slow
CI worker must not turn into a flaky failure). ``long`` is for local fuzzing sessions and is chosen
with ``HYPOTHESIS_PROFILE=long`` (see docs/testing.md, "Fuzzing, faults and security").

The profile is loaded only when this directory is collected; every other hypothesis test in the
repository pins its own ``@settings``, so loading it here changes nothing for them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE if PROFILE in ("ci", "long") else "ci")
