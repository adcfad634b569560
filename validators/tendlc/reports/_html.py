"""The HTML report: one self-contained page a person reads, what failed first.

A header with the verdict and what the run was (kind, provider and base URL when the run's
context names them, start, duration); the counters; a table of operations (failing ones
first: exchanges, errors, warnings, time, 429s and retries); then the failing operations,
each failing entry with its findings (severity, direction, path, rule, message, expected,
contract location as a link into the page), its timing, the request and the response it
kept (bodies cut to 4 KiB, credentials masked) and a ``curl`` command that sends the request
again (credentials as the provider's environment variables); then the passing operations,
collapsed; the drift (distinct warnings, by operation); the advice (a section of its own:
it fails nothing unless made errors); the coverage of each operation by documented status;
and the text of every contract the findings refer to, anchored per XSD component and per
JSON pointer. Drift is drawn in amber, errors in red.

The page fetches nothing: the style is inline, and a Content-Security-Policy allows no
source at all except that style and the one inline script, by its hash. The script only adds
a filter box (text, failing operations only, errors only; everything is readable without
it). Every text is HTML-escaped; a payload quoted in a message or a body shows as text and
cannot run.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from html import escape
from typing import Any

from .._validation import Issue
from ._contracts import ContractText, anchor_of, contract_texts
from ._model import (
    EntryView,
    Group,
    RunLike,
    RunView,
    count,
    duration_text,
    expected_text,
    iso,
    printable,
    seconds_text,
    view,
    waits_text,
)
from ._reproduce import curl_command

__all__ = ["to_html"]

_STYLE = """
:root { --fail: #b42318; --fail-bg: #fef3f2; --pass: #067647; --pass-bg: #ecfdf3;
  --drift: #93370d; --drift-bg: #fffaeb; --skip: #475467; --skip-bg: #f2f4f7;
  --line: #d0d5dd; --text: #101828; --muted: #475467; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: var(--text); background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 32px 64px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 20px; }
h1 { font-size: 26px; margin: 0 0 8px; display: flex; gap: 14px; align-items: center; }
h2 { font-size: 20px; margin: 32px 0 12px; }
h3 { font-size: 17px; margin: 0; }
code, .mono { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace;
  font-size: 13px; overflow-wrap: break-word; }
h3 code { font-size: 15px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px;
  font-weight: 700; letter-spacing: .02em; text-transform: uppercase; white-space: nowrap; }
h1 .badge { font-size: 16px; padding: 4px 14px; }
.badge.fail { color: #fff; background: var(--fail); }
.badge.pass { color: #fff; background: var(--pass); }
.badge.skipped { color: #fff; background: var(--skip); }
.badge.drift { color: var(--drift); background: var(--drift-bg); border: 1px solid #fec84b; }
.badge.error { color: var(--fail); background: var(--fail-bg); border: 1px solid #fda29b; }
dl.context { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px;
  margin: 8px 0 0; }
dl.context dt { color: var(--muted); }
dl.context dd { margin: 0; overflow-wrap: anywhere; }
.counters { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.counter { border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px;
  min-width: 120px; }
.counter b { display: block; font-size: 26px; line-height: 1.2; }
.counter span { color: var(--muted); font-size: 13px; }
.counter.errors.nonzero { border-color: #fda29b; background: var(--fail-bg); }
.counter.errors.nonzero b { color: var(--fail); }
.counter.warnings.nonzero { border-color: #fec84b; background: var(--drift-bg); }
.counter.warnings.nonzero b { color: var(--drift); }
.providers { color: var(--muted); margin: 4px 0 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px;
  border-bottom: 1px solid var(--line); }
th { font-size: 13px; color: var(--muted); font-weight: 600; background: #f9fafb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.fail td:first-child { border-left: 4px solid var(--fail); }
tr.pass td:first-child { border-left: 4px solid var(--pass); }
tr.skipped td:first-child { border-left: 4px solid var(--skip); }
tr.drift td:first-child { border-left: 4px solid #f79009; }
table.findings, table.drift { table-layout: fixed; }
table.findings td code, table.drift td code { overflow-wrap: anywhere; }
table.findings td, table.drift td { overflow-wrap: anywhere; }
col.severity { width: 84px; } col.direction { width: 100px; } col.path { width: 16%; }
col.rule { width: 16%; } col.location { width: 24%; } col.seen { width: 64px; }
.expected { margin-bottom: 2px; }
.location, .location code { color: var(--muted); font-size: 12px; }
tr.finding.error { background: var(--fail-bg); }
tr.finding.warning { background: var(--drift-bg); }
section.operation { border: 1px solid var(--line); border-radius: 10px; margin: 16px 0;
  padding: 14px 18px; }
section.operation.fail { border-left: 6px solid var(--fail); }
section.operation.pass { border-left: 6px solid var(--pass); }
section.operation.skipped { border-left: 6px solid var(--skip); }
.operation-head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.muted { color: var(--muted); }
.entry { margin: 12px 0 0; padding-top: 10px; border-top: 1px dashed var(--line); }
.entry-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.note { margin: 4px 0; color: var(--muted); font-style: italic; }
.drift-list h3 { margin-top: 12px; }
.empty { padding: 24px; border: 1px dashed var(--line); border-radius: 10px; color: var(--muted); }
#filter { margin: 8px 0; display: flex; gap: 16px; flex-wrap: wrap; align-items: center; }
#filter input[type=search] { padding: 4px 8px; width: 280px; font: inherit; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
a { color: #175cd3; }
.timing { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.exchange-sides { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 8px; }
.exchange-sides h4, .reproduce h4 { margin: 4px 0; font-size: 14px; }
pre { background: #f9fafb; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 420px; overflow: auto;
  font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.cut { color: var(--drift); font-size: 12px; margin: 2px 0 0; }
.reproduce { margin-top: 8px; }
details.operation { border: 1px solid var(--line); border-left: 6px solid var(--pass);
  border-radius: 10px; margin: 10px 0; padding: 8px 14px; }
details.operation.skipped { border-left-color: var(--skip); }
details.operation > summary { cursor: pointer; display: flex; gap: 12px; align-items: baseline;
  flex-wrap: wrap; }
table.coverage td.seen { color: var(--pass); font-weight: 600; }
table.coverage td.missing { color: var(--muted); }
table.coverage td.undocumented { color: var(--fail); font-weight: 600; }
section.contract pre { max-height: none; }
section.contract .block { margin: 10px 0; }
section.contract .block:target pre { border-color: #175cd3; box-shadow: 0 0 0 3px #d1e9ff; }
tr.finding.advice { background: #f5f8ff; }
.badge.advice { color: #3538cd; background: #eef4ff; border: 1px solid #c7d7fe; }
body.errors-only tr.finding:not(.error), body.errors-only .entry:not(.fail),
body.errors-only #passing { display: none; }
"""

_SCRIPT = """
(function () {
  var box = document.getElementById("filter");
  if (!box) { return; }
  var text = document.getElementById("filter-text");
  var failing = document.getElementById("filter-failing");
  var errors = document.getElementById("filter-errors");
  box.hidden = false;
  function apply() {
    var wanted = text.value.toLowerCase();
    document.querySelectorAll("[data-operation]").forEach(function (node) {
      var id = node.getAttribute("data-operation").toLowerCase();
      var said = (node.getAttribute("data-text") || "").toLowerCase();
      var verdict = node.getAttribute("data-verdict");
      var matches = id.indexOf(wanted) >= 0 || said.indexOf(wanted) >= 0;
      node.hidden = !matches || (failing.checked && verdict !== "fail");
    });
    document.body.classList.toggle("errors-only", errors.checked);
  }
  text.addEventListener("input", apply);
  failing.addEventListener("change", apply);
  errors.addEventListener("change", apply);
})();
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode()
#: no fetch of any kind; only the inline style and the one inline script above
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)


def to_html(run: RunLike) -> str:
    """The HTML report of ``run``: one self-contained page."""
    data = view(run)
    verdict = "pass" if data.conforms else "fail"
    title = f"tendlc {data.title}: {verdict.upper()}"
    contracts = contract_texts(
        finding.location for entry in data.entries for finding in entry.findings
    )
    anchors = {block.anchor for text in contracts for block in text.blocks}
    anchors |= {text.anchor for text in contracts}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CONTENT_SECURITY_POLICY)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        f'<body class="{verdict}">',
        "<main>",
        *_header(data, verdict),
        *_counters(data),
        *_operations(data),
        *_failing(data, anchors),
        *_passing(data, anchors),
        *_drift(data, anchors),
        *_advice(data, anchors),
        *_coverage(data),
        *_contracts(contracts),
        "<footer>Written by tendlc from the run's checked exchanges: methods, URLs and "
        "statuses of every exchange, and excerpts of the requests and responses with "
        "findings only (bodies cut to 4 KiB, credentials masked).</footer>",
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _header(data: RunView, verdict: str) -> list[str]:
    summary = data.summary
    if data.conforms:
        said = (
            "every exchange conforms to the contracts"
            if summary.exchanges
            else "nothing was checked"
        )
    else:
        problems = []
        if summary.errors:
            problems.append(count(summary.errors, "error"))
        if summary.failed:
            problems.append(count(summary.failed, "failed probe"))
        failing = [group.id for group in data.failing_groups]
        named = ", ".join(failing[:5]) + (
            f" and {len(failing) - 5} more" if len(failing) > 5 else ""
        )
        said = f"{' and '.join(problems)}; failing: {named}"
    if summary.warnings:
        said += f"; {count(summary.warnings, 'warning')} of drift"
    items = [("kind", data.kind), *data.context_items()]
    items.append(("started", iso(data.started) or "unknown"))
    if data.finished is not None:
        items.append(("finished", iso(data.finished) or ""))
    items.append(("duration", duration_text(data.duration)))
    context = "".join(f"<dt>{_e(label)}</dt><dd>{_e(text)}</dd>" for label, text in items)
    return [
        "<header>",
        f"<h1><span>tendlc · {_e(data.title)}</span> "
        f'<span class="badge {verdict}" id="verdict">{verdict}</span></h1>',
        f'<p class="said">{_e(said)}</p>',
        f'<dl class="context">{context}</dl>',
        "</header>",
    ]


def _counters(data: RunView) -> list[str]:
    summary = data.summary
    values = [
        ("exchanges", summary.exchanges, "exchanges checked"),
        ("operations", sum(1 for g in data.groups if g.kind == "operation"), "operations"),
        ("errors", summary.errors, "errors"),
        ("warnings", summary.warnings, "warnings (drift)"),
        ("advice", summary.advice, "advice"),
        ("unmatched", summary.unmatched, "unmatched"),
        ("skipped", summary.skipped, "skipped"),
        ("failed", summary.failed, "failed probes"),
    ]
    cells = "".join(
        f'<div class="counter {name}{" nonzero" if value else ""}" data-counter="{name}">'
        f"<b>{value}</b><span>{_e(label)}</span></div>"
        for name, value, label in values
    )
    lines = ['<section id="summary"><h2>Summary</h2>', f'<div class="counters">{cells}</div>']
    if summary.providers:
        lines.append('<ul class="providers">')
        for provider in summary.providers:
            lines.append(
                f"<li><b>{_e(provider.provider)}</b>: {len(provider.operations)} of "
                f"{provider.documented} documented operations exercised, "
                f"{_e(count(provider.exchanges, 'exchange'))}</li>"
            )
        lines.append("</ul>")
    return [*lines, "</section>"]


def _failing_first(data: RunView) -> tuple[Group, ...]:
    return (*data.failing_groups, *data.passing_groups)


def _operations(data: RunView) -> list[str]:
    lines = ['<section id="operations"><h2>Operations</h2>']
    if not data.groups:
        return [
            *lines,
            '<p class="empty">The run has no entries: nothing was checked.</p>',
            "</section>",
        ]
    lines += [
        '<div id="filter" hidden><label>Filter '
        '<input type="search" id="filter-text" placeholder="operation, entry or text"></label> '
        '<label><input type="checkbox" id="filter-failing"> failing only</label> '
        '<label><input type="checkbox" id="filter-errors"> errors only</label></div>',
        '<table id="operations-table">',
        "<thead><tr><th>Operation</th><th>Method</th><th>Path</th><th class=num>Exchanges</th>"
        "<th class=num>Errors</th><th class=num>Warnings</th><th>Verdict</th>"
        "<th class=num>Time</th><th class=num>429s</th><th class=num>Retries</th>"
        "<th class=num>Waited</th></tr></thead>",
        "<tbody>",
    ]
    for group in _failing_first(data):
        row_class = "drift" if group.verdict == "pass" and group.warnings else group.verdict
        waits = group.waits
        lines.append(
            f'<tr class="{row_class}" data-operation="{_e(group.id)}" '
            f'data-verdict="{group.verdict}">'
            f'<td><a href="#{_anchor(group)}"><code>{_e(group.id)}</code></a></td>'
            f"<td>{_e(group.method or '')}</td>"
            f"<td><code>{_breakable(group.path or '')}</code></td>"
            f'<td class="num">{group.exchanges}</td><td class="num">{group.errors}</td>'
            f'<td class="num">{group.warnings}</td><td>{_verdict(group)}</td>'
            f'<td class="num">{_e(seconds_text(group.elapsed))}</td>'
            f'<td class="num">{waits["rate_limited"]}</td>'
            f'<td class="num">{waits["retries"]}</td>'
            f'<td class="num">{waits["waited"]:.3f} s</td></tr>'
        )
    return [*lines, "</tbody></table>", "</section>"]


def _drift(data: RunView, anchors: set[str]) -> list[str]:
    drifting = [group for group in data.groups if group.drift]
    if not drifting:
        return []
    lines = [
        '<section id="drift" class="drift-list"><h2>Drift, by operation</h2>',
        '<p class="muted">Warnings: what the provider sent that the contracts do not document. '
        "They do not fail the run.</p>",
    ]
    for group in drifting:
        lines += [
            f'<div data-operation="{_e(group.id)}" data-verdict="{group.verdict}">',
            f"<h3><code>{_e(group.id)}</code></h3>",
            '<table class="drift"><colgroup><col class="direction"><col class="path">'
            '<col class="rule"><col><col class="location"><col class="seen"></colgroup>'
            "<thead><tr><th>Direction</th><th>Path</th><th>Rule</th><th>Message</th>"
            "<th>Contract location</th><th class=num>Seen</th></tr></thead><tbody>",
        ]
        for drift in group.drift:
            lines.append(
                f'<tr class="finding warning"><td>{_e(drift.direction)}</td>'
                f"<td><code>{_breakable(drift.path or '/')}</code></td>"
                f"<td><code>{_e(drift.rule)}</code></td><td>{_e(drift.message)}</td>"
                f"<td>{_location(drift.location, anchors)}</td>"
                f'<td class="num">{drift.occurrences}</td></tr>'
            )
        lines += ["</tbody></table>", "</div>"]
    return [*lines, "</section>"]


def _failing(data: RunView, anchors: set[str]) -> list[str]:
    failing = data.failing_groups
    if not failing:
        return []
    lines = [
        '<section id="failing"><h2>Failing operations</h2>',
        f'<p class="muted">{_e(count(len(failing), "operation"))} with errors or failed probes; '
        "each failing exchange with what it sent and got back, and a command that sends it "
        "again.</p>",
    ]
    for group in failing:
        lines += _group(group, anchors)
    return [*lines, "</section>"]


def _passing(data: RunView, anchors: set[str]) -> list[str]:
    passing = data.passing_groups
    if not passing:
        return []
    lines = [
        '<section id="passing"><h2>Passing operations</h2>',
        '<p class="muted">Collapsed: open one to see its exchanges.</p>',
    ]
    for group in passing:
        where = f"{group.method} {group.path}" if group.method and group.path else ""
        lines += [
            f'<details class="operation {group.verdict}" id="{_anchor(group)}" '
            f'data-operation="{_e(group.id)}" data-verdict="{group.verdict}">',
            f"<summary><h3><code>{_e(group.id)}</code></h3>"
            + (f'<span class="mono muted">{_e(where)}</span>' if where else "")
            + _verdict(group)
            + f'<span class="muted">{_e(count(len(group.entries), "entry", "entries"))}</span>'
            + f'<span class="timing">{_e(seconds_text(group.elapsed))}</span></summary>',
        ]
        if group.summary:
            lines.append(f'<p class="muted">{_e(group.summary)}</p>')
        for entry in group.entries:
            lines += _entry(entry, group, anchors)
        lines.append("</details>")
    return [*lines, "</section>"]


def _group(group: Group, anchors: set[str]) -> list[str]:
    where = f"{group.method} {group.path}" if group.method and group.path else ""
    said = " ".join(f.message for e in group.entries for f in e.findings)
    lines = [
        f'<section class="operation {group.verdict}" id="{_anchor(group)}" '
        f'data-operation="{_e(group.id)}" data-verdict="{group.verdict}" '
        f'data-text="{_e(" ".join(e.name for e in group.entries) + " " + said[:2000])}">',
        '<div class="operation-head">'
        f"<h3><code>{_e(group.id)}</code></h3>"
        + (f'<span class="mono muted">{_e(where)}</span>' if where else "")
        + _verdict(group)
        + f'<span class="muted">{_e(count(len(group.entries), "entry", "entries"))}</span>'
        + "</div>",
    ]
    if group.summary:
        lines.append(f'<p class="muted">{_e(group.summary)}</p>')
    # what failed first, within the operation too
    ordered = sorted(group.entries, key=lambda e: e.verdict != "fail")
    for entry in ordered:
        lines += _entry(entry, group, anchors)
    return [*lines, "</section>"]


def _entry(entry: EntryView, group: Group, anchors: set[str]) -> list[str]:
    timing = "" if entry.elapsed is None else seconds_text(entry.elapsed)
    waited = waits_text(entry.waits)
    lines = [
        f'<div class="entry {entry.verdict}" id="entry-{entry.index}">',
        '<div class="entry-head">'
        f'<span class="badge {entry.verdict}">{entry.verdict}</span>'
        f"<b>{_e(entry.name)}</b>"
        + (f'<span class="mono">{_e(entry.describe())}</span>' if entry.exchange else "")
        + (f'<span class="timing" title="time">{_e(timing)}</span>' if timing else "")
        + (f'<span class="timing">{_e(waited)}</span>' if waited != "—" else "")
        + "</div>",
    ]
    if entry.note:
        lines.append(f'<p class="note">{_e(entry.note)}</p>')
    if entry.findings:
        lines += [
            '<table class="findings"><colgroup><col class="severity"><col class="direction">'
            '<col class="path"><col class="rule"><col><col class="location"></colgroup>'
            "<thead><tr><th>Severity</th><th>Direction</th><th>Path</th>"
            "<th>Rule</th><th>Message</th><th>Expected, contract location</th></tr>"
            "</thead><tbody>",
            *(_finding(finding, anchors) for finding in entry.findings),
            "</tbody></table>",
        ]
    elif entry.exchange is not None:
        lines.append('<p class="muted">No findings.</p>')
    if entry.verdict == "fail" and entry.excerpt is not None:
        lines += _exchange(entry.excerpt, group.provider)
    return [*lines, "</div>"]


def _exchange(excerpt: Mapping[str, Any], provider: str | None) -> list[str]:
    """The request and response an exchange with findings kept, and how to send it again."""
    request = excerpt.get("request")
    response = excerpt.get("response")
    lines = ['<div class="exchange-sides">']
    if isinstance(request, Mapping):
        head = f"{request.get('method', '')} {request.get('url', '')}"
        lines += ['<div class="request"><h4>Request</h4>', *_side(head, request), "</div>"]
    if isinstance(response, Mapping):
        head = f"HTTP {response.get('status', '')}"
        lines += ['<div class="response"><h4>Response</h4>', *_side(head, response), "</div>"]
    else:
        lines.append('<div class="response"><h4>Response</h4><p class="muted">none</p></div>')
    lines.append("</div>")
    if isinstance(request, Mapping):
        cut = (
            '<p class="cut">The body was cut: complete it before sending.</p>'
            if request.get("truncated")
            else ""
        )
        lines += [
            '<div class="reproduce"><h4>Reproduce</h4>',
            f'<pre class="curl"><code>{_e(curl_command(request, provider))}</code></pre>{cut}',
            "</div>",
        ]
    return lines


def _side(head: str, side: Mapping[str, Any]) -> list[str]:
    headers = side.get("headers") or {}
    text = "\n".join([head, *(f"{name}: {value}" for name, value in headers.items())])
    body = str(side.get("body") or "")
    if body:
        text += "\n\n" + body
    lines = [f"<pre>{_e(text)}</pre>"]
    if side.get("truncated"):
        lines.append(
            f'<p class="cut">Body cut to its first {len(body.encode("utf-8", "replace"))} '
            f"of {side.get('bytes')} bytes.</p>"
        )
    return lines


def _finding(finding: Issue, anchors: set[str]) -> str:
    severity = finding.severity.value
    label = {"error": "error", "warning": "drift", "advice": "advice"}[severity]
    message = _e(finding.message)
    if finding.line is not None:
        message += f' <span class="muted">(line {finding.line})</span>'
    return (
        f'<tr class="finding {severity}"><td><span class="badge {label}">{label}</span></td>'
        f"<td>{_e(finding.direction)}</td><td><code>{_breakable(finding.path or '/')}</code></td>"
        f"<td><code>{_e(finding.rule)}</code></td><td>{message}</td>"
        f"<td>{_contract(finding, anchors)}</td></tr>"
    )


def _contract(finding: Issue, anchors: set[str]) -> str:
    """What the rule expects, and where the contracts write it (a link to its text)."""
    parts = []
    expected = expected_text(finding.expected)
    if expected:
        parts.append(f'<div class="expected">expected: <code>{_e(expected)}</code></div>')
    if finding.location:
        parts.append(f'<div class="location">{_location(finding.location, anchors)}</div>')
    return "".join(parts)


def _location(location: str, anchors: set[str]) -> str:
    """A contract location, a link to its text in the page when the page has it."""
    where = f"<code>{_breakable(location)}</code>"
    anchor = anchor_of(location)
    if anchor is not None and anchor in anchors:
        return f'<a class="contract-link" href="#{_e(anchor)}">{where}</a>'
    return where


def _advice(data: RunView, anchors: set[str]) -> list[str]:
    rows = data.advice
    if not rows:
        return []
    lines = [
        '<section id="advice"><h2>Advice</h2>',
        '<p class="muted">Why carriers may reject a registration beyond the contract. Advice '
        "fails nothing unless the run made it errors (advice-as-errors).</p>",
        '<table class="findings"><thead><tr><th>Operation</th><th>Entry</th><th>Path</th>'
        "<th>Rule</th><th>Message</th><th>Source</th></tr></thead><tbody>",
    ]
    for group, entry, finding in rows:
        lines.append(
            f'<tr class="finding advice"><td><code>{_e(group.id)}</code></td>'
            f'<td><a href="#entry-{entry.index}">{_e(entry.name)}</a></td>'
            f"<td><code>{_breakable(finding.path or '/')}</code></td>"
            f"<td><code>{_e(finding.rule)}</code></td><td>{_e(finding.message)}</td>"
            f"<td>{_contract(finding, anchors)}</td></tr>"
        )
    return [*lines, "</tbody></table>", "</section>"]


def _coverage(data: RunView) -> list[str]:
    groups = data.operation_groups
    if not groups:
        return []
    lines = [
        '<section id="coverage"><h2>Coverage by documented status</h2>',
        '<p class="muted">For each operation, the statuses its contract documents and those '
        "the run saw; a status seen but not documented is drawn in red.</p>",
        '<table class="coverage"><thead><tr><th>Operation</th><th>Documented</th><th>Seen</th>'
        "<th>Not seen</th><th>Seen, undocumented</th></tr></thead><tbody>",
    ]
    for group in groups:
        statuses = group.statuses
        cells = "".join(
            f'<td class="{css}">{_e(", ".join(str(code) for code in statuses[key]) or "—")}</td>'
            for key, css in (
                ("documented", "documented"),
                ("seen", "seen"),
                ("not_seen", "missing"),
                ("undocumented", "undocumented"),
            )
        )
        lines.append(
            f'<tr data-coverage="{_e(group.id)}"><td><code>{_e(group.id)}</code></td>{cells}</tr>'
        )
    return [*lines, "</tbody></table>", "</section>"]


def _contracts(contracts: tuple[ContractText, ...]) -> list[str]:
    if not contracts:
        return []
    lines = [
        '<section id="contracts"><h2>Contracts</h2>',
        '<p class="muted">The text of the contracts the findings refer to: each finding\'s '
        "contract location links here.</p>",
    ]
    for text in contracts:
        lines.append(f'<section class="contract" id="{_e(text.anchor)}">')
        lines.append(f"<h3><code>{_e(text.name)}</code></h3>")
        for block in text.blocks:
            if block.anchor == text.anchor:  # the file's own lines: under its heading
                lines.append(f'<div class="block"><pre>{_e(block.text)}</pre></div>')
                continue
            lines += [
                f'<div class="block" id="{_e(block.anchor)}">',
                f'<div class="muted mono">{_e(block.title)}</div>',
                f"<pre>{_e(block.text)}</pre>",
                "</div>",
            ]
        lines.append("</section>")
    return [*lines, "</section>"]


def _verdict(group: Group) -> str:
    badge = f'<span class="badge {group.verdict}">{group.verdict}</span>'
    if group.warnings:
        badge += f' <span class="badge drift">{_e(count(group.warnings, "warning"))}</span>'
    return badge


def _anchor(group: Group) -> str:
    return "op-" + "".join(c if c.isalnum() or c in "-_." else "-" for c in group.id)


def _e(text: str) -> str:
    return escape(printable(text), quote=True)


def _breakable(text: str) -> str:
    """A path or contract location, escaped, that may wrap after each slash."""
    escaped = _e(text)
    return escaped[:1] + escaped[1:].replace("/", "/<wbr>")
