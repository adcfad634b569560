"""Reports of a run (a conformance run, a proxy session, a pytest session): JUnit XML for CI,
JSON for tools, Markdown for a CI step summary, and one self-contained HTML page for people.

>>> from tendlc.traffic import Run
>>> from tendlc.reports import to_json
>>> '"schema": "tendlc-report/2"' in to_json(Run(kind="conform"))
True

Every writer reads the one run model (:class:`tendlc.traffic.Run`, or the mapping
:meth:`Run.to_dict` makes of one, e.g. merged from pytest-xdist workers) and the catalog for
what each operation is; none validates anything. Entries are grouped by operation (exchanges
that matched none in ``unmatched``); an operation fails when any finding is an error, and
warnings (drift: undocumented response fields) are shown without failing it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._html import to_html
from ._json import JSON_SCHEMA, to_json
from ._junit import to_junit_xml
from ._markdown import to_markdown
from ._model import RunLike

__all__ = ["JSON_SCHEMA", "to_html", "to_json", "to_junit_xml", "to_markdown", "write_reports"]

StrPath = str | os.PathLike[str]


def write_reports(
    run: RunLike,
    *,
    junit_xml: StrPath | None = None,
    json: StrPath | None = None,
    markdown: StrPath | None = None,
    html: StrPath | None = None,
) -> list[Path]:
    """Write the reports asked for (any combination), creating parent directories; returns
    the paths written, in the order junit_xml, json, markdown, html."""
    writers = ((junit_xml, to_junit_xml), (json, to_json), (markdown, to_markdown), (html, to_html))
    written = []
    for target, writer in writers:
        if target is None:
            continue
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(writer(run), encoding="utf-8", errors="backslashreplace")
        written.append(path)
    return written
