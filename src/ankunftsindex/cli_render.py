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
    for index_id, info in summary["indices"].items():
        name = info["label"] if info["label"] == index_id else f"{info['label']} ({index_id})"
        title = name + (f", {latest}" if latest else "")
        table = Table(title=title, min_width=len(title) + 2,
                      show_edge=False)
        table.add_column("class")
        table.add_column("areas", justify="right")
        for label, count in info["classes"].items():
            table.add_row(label, str(count))
        console.print(table)
    if "typology" in summary:
        table = Table(title="Typology" + (f", {latest}" if latest else ""), show_edge=False)
        table.add_column("type")
        table.add_column("areas", justify="right")
        for label, count in summary["typology"].items():
            table.add_row(label, str(count))
        console.print(table)
    first = next(iter(result.spec.indices))
    top = Table(title=f"Top areas by {first}", show_edge=False)
    rows = result.top(first)
    if rows:
        for key in rows[0]:
            numeric = key == first or key.endswith("_rank")
            top.add_column(key, justify="right" if numeric else "left")
        for row in rows:
            top.add_row(*[f"{v:.2f}" if isinstance(v, float) else ("" if v is None else str(v))
                          for v in row.values()])
        console.print(top)
    console.print(f"written: [bold]{output}[/bold]")
