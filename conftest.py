"""Repository-only test configuration.

The tendlc pytest plugin is loaded through its ``pytest11`` entry point; it must not also be
listed in ``pytest_plugins`` (pytest refuses a plugin registered twice).
"""

pytest_plugins = ["pytester"]
