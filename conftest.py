"""Repository-only test configuration.

The tendlc pytest plugin is loaded through its ``pytest11`` entry point; it must not also be
listed in ``pytest_plugins`` (pytest refuses a plugin registered twice).
"""

# _support.summary prints the run's figures ("tendlc fuzz: N inputs validated") at the end;
# tests/ is on sys.path through the pytest settings' pythonpath
pytest_plugins = ["pytester", "_support.summary"]

# pytester runs pytest in this process and drops the modules first imported during a run when
# it ends; PyYAML's C loader does not survive being imported twice, so import it up front.
import os  # noqa: E402
import tempfile  # noqa: E402

import yaml  # noqa: E402, F401

# tendlc conform keeps the rate limits' state between runs in the user's cache directory: a
# test run keeps it in a directory of its own instead
os.environ.setdefault("TENDLC_CACHE_DIR", tempfile.mkdtemp(prefix="tendlc-cache-"))
from hypothesis import settings  # noqa: E402

# "ci" (the default) is Hypothesis's own defaults without the example database (a fresh
# random run each time, as users get); "thorough" is for a long local run:
# pytest --hypothesis-profile=thorough
settings.register_profile("ci", database=None)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile("ci")
# The long fuzz run: python -m pytest tests/test_fuzz.py --hypothesis-profile=fuzz
settings.register_profile("fuzz", max_examples=1000, database=None)
