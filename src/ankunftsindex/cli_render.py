"""Rich terminal rendering of a compute result (CLI layer only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def render_summary(result: Any, output: Path, console: Console | None = None) -> None:
    """Counts per class of each index and the top areas, for a person at a terminal."""
    console = console or Console()
    summary = result.summary()
    title = result.spec.title or "ankunftsindex"
    latest = summary["latest_period"]
    console.print(f"[bold]{title}[/bold] — {summary['areas']} areas, "
                  f"{len(summary['periods'])} period(s)"
                  + (f", latest {latest}" if latest else ""))
    status = Table(title="Status (all periods)", show_edge=False)
    status.add_column("status")
    status.add_column("rows", justify="right")
    for name, count in summary["status"].items():
        status.add_row(name, f"{count:,}")
    console.print(status)
    suffix = f", {latest}" if latest else ""
    for index_id, info in summary["indices"].items():
        name = info["label"] if info["label"] == index_id else f"{info['label']} ({index_id})"
        console.print(_counts(name + suffix, "class", info["classes"]))
    if "typology" in summary:
        console.print(_counts("Typology" + suffix, "type", summary["typology"]))
    first = next(iter(result.spec.indices))
    rows = result.top(first)
    if rows:
        top = Table(title=f"Top areas by {first}{suffix}", show_edge=False)
        for header in ("rank", "area", "name", first, "class", "type")[: len(rows[0])]:
            top.add_column(header, justify="right" if header in ("rank", first) else "left")
        for row in rows:
            top.add_row(str(row[f"{first}_rank"]), row["area"], row["name"] or "",
                        f"{row[first]:.2f}", row[f"{first}_class"] or "",
                        *([str(row[result.spec.typology.column] or "")]
                          if result.spec.typology is not None else []))
        console.print(top)
    console.print(f"written: [bold]{output}[/bold]")


def _counts(title: str, what: str, counts: dict[str, int]) -> Table:
    table = Table(show_edge=False)
    table.add_column(f"{title}: {what}")
    table.add_column("areas", justify="right")
    for label, count in counts.items():
        table.add_row(label, str(count))
    return table
