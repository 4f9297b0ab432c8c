"""Rich terminal rendering of a compute result (CLI layer only).

Every text from the spec or the data goes in as ``rich.text.Text``, never as markup, so a
label such as ``[hoch]`` is shown as it is and cannot break the rendering.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .errors import MAX_FINDINGS, Finding


def summary_view(result: Any, summary: dict[str, Any], output: Path) -> RenderableType:
    """Counts per class of each index and the top areas, for a person at a terminal.

    Built before the output is written, so that nothing can fail after it."""
    latest = summary["latest_period"]
    suffix = f", {latest}" if latest else ""
    parts: list[RenderableType] = [Text.assemble(
        (result.spec.title or "ankunftsindex", "bold"),
        f" — {summary['areas']} areas, {len(summary['periods'])} period(s)"
        + (f", latest {latest}" if latest else ""))]
    parts.append(_counts("Status (all periods)", "status", summary["status"], "rows"))
    for index_id, info in summary["indices"].items():
        name = info["label"] if info["label"] == index_id else f"{info['label']} ({index_id})"
        parts.append(_counts(name + suffix, "class", info["classes"]))
    if "typology" in summary:
        parts.append(_counts("Typology" + suffix, "type", summary["typology"]))
    first = next(iter(result.spec.indices))
    rows = result.top(first)
    if rows:
        typ = result.spec.typology.column if result.spec.typology is not None else None
        top = Table(title=Text(f"Top areas by {first}{suffix}"), show_edge=False)
        for header in ("rank", "area", "name", first, "class", "type")[: 6 if typ else 5]:
            top.add_column(Text(header), justify="right" if header in ("rank", first) else "left")
        for row in rows:
            cells = [str(row[f"{first}_rank"]), row["area"], row["name"] or "",
                     f"{row[first]:.2f}", row[f"{first}_class"] or ""]
            if typ:
                cells.append(row[typ] or "")
            top.add_row(*[Text(c) for c in cells])
        parts.append(top)
    parts.append(Text.assemble("written: ", (str(output), "bold")))
    return Group(*parts)


def _counts(title: str, what: str, counts: dict[str, int], unit: str = "areas") -> Table:
    table = Table(show_edge=False)
    table.add_column(Text(f"{title}: {what}"))
    table.add_column(Text(unit), justify="right")
    for label, count in counts.items():
        table.add_row(Text(label), Text(f"{count:,}"))
    return table


LABELS = {"error": "error", "warning": "warning", "info": "note"}


def report_lines(findings: list[Finding], data: dict[str, Any], strict: bool,
                 limit: int = MAX_FINDINGS) -> list[str]:
    """The text report of ``validate``: one line per finding (errors, then warnings, then
    notes; capped), each code's hint once, and a closing summary line."""
    order = sorted(findings, key=lambda f: list(LABELS).index(f.severity))
    lines: list[str] = []
    hinted: set[str] = set()
    for f in order[:limit]:
        lines.append(f"{LABELS[f.severity]}[{f.code}]: {f.render()}")
        if f.hint and f.code not in hinted:
            hinted.add(f.code)
            lines.append(f"  hint: {f.hint}")
    if len(order) > limit:
        lines.append(f"… and {len(order) - limit} more (showing the first {limit}; "
                     "--format json lists up to 1000)")
    files = data["files"]
    rows = sum(f["rows"] for f in files)
    verdict = "valid" if data["valid"] else "NOT valid"
    if strict and data["warnings"] and not data["errors"]:
        verdict += " (--strict: warnings count as errors)"
    lines.append(f"ankunftsindex validate: {verdict}: {data['errors']} error(s), "
                 f"{data['warnings']} warning(s), {data['notes']} note(s); "
                 f"{len(files)} of {data['files_given']} file(s) read, {rows} row(s)")
    return lines
