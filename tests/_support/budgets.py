"""Hypothesis deadlines of the property tests, sized for a busy shared machine.

A deadline catches an example that is slow for a reason a user would meet too: a runaway
regular expression, a walk gone quadratic. It fails a test on a single slow example, and on a
shared 2-CPU machine a single example can be descheduled for a second or more. Measured at a
load average of 8: examples that take 1-40 ms had single runs of 0.3-0.7 s, and examples that
run the reference engines (0.1-0.5 s) single runs of 2.6 s. The deadlines here sit far above
both. Hypothesis also allows the generation of the first ten examples five deadlines, which
keeps generating whole valid payloads (tens of milliseconds each on such a machine) clear of
its too-slow health check.

Speed itself is measured by the scripts in benchmarks/, never by these deadlines.
"""

from __future__ import annotations

from datetime import timedelta

#: an example that parses or validates a payload or two
CALLS = timedelta(seconds=5)
#: an example that also runs the reference engines, builds a schema or makes an HTTP exchange
ENGINES = timedelta(seconds=20)
