"""Test-session settings shared by every test module.

Property tests explore random inputs on developer machines (that is how they find bugs), but in
CI (``CI=true``) they run derandomized: the same examples every time, so a submission's CI
result depends on its code, not on the luck of the draw. Explicit ``@settings`` in a test keep
their own limits; the profile supplies the default for what they leave unset.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
