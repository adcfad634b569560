"""Repository-only test configuration.

The tendlc pytest plugin is loaded through its ``pytest11`` entry point; it must not also be
listed in ``pytest_plugins`` (pytest refuses a plugin registered twice).
"""

from collections import Counter

import pytest

pytest_plugins = ["pytester"]

# pytester runs pytest in this process and drops the modules first imported during a run when
# it ends; PyYAML's C loader does not survive being imported twice, so import it up front.
import yaml  # noqa: E402, F401
from hypothesis import settings  # noqa: E402

# "ci" (the default) is Hypothesis's own defaults without the example database (a fresh
# random run each time, as users get); "thorough" is for a long local run:
# pytest --hypothesis-profile=thorough
settings.register_profile("ci", database=None)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile("ci")
# The long fuzz run: python -m pytest tests/test_fuzz.py --hypothesis-profile=fuzz
settings.register_profile("fuzz", max_examples=1000, database=None)


_SIZES = pytest.StashKey[dict[str, Counter]]()


@pytest.fixture(scope="session")
def differential(request):
    """The sizes a differential test compared, by name (``differential("XML patterns")`` is a
    Counter to add to): printed in the terminal summary, whatever the capture mode."""
    sizes = request.config.stash.setdefault(_SIZES, {})
    return lambda name: sizes.setdefault(name, Counter())


def pytest_terminal_summary(terminalreporter, config):
    fuzz = __import__("sys").modules.get("test_fuzz") or __import__("sys").modules.get(
        "tests.test_fuzz"
    )
    if fuzz is not None and fuzz.INPUTS[0]:
        terminalreporter.write_line(f"tendlc fuzz: {fuzz.INPUTS[0]:,} inputs validated")
    for name, sizes in sorted(config.stash.get(_SIZES, {}).items()):
        counts = ", ".join(f"{count:,} {what}" for what, count in sorted(sizes.items()))
        terminalreporter.write_line(f"tendlc differential, {name}: {counts}")
