"""Progress of a long run on a terminal: one rich status line per pipeline stage.

The library only names its stages (``pipeline.Progress``); showing them is the CLI's
business. Off a terminal (cron, pipes) and with ``--quiet`` or ``--json`` nothing is shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def stage_progress(enabled: bool, console: Any = None) -> Iterator[Callable[[str], None]]:
    """A callback for ``compute(progress=…)``: each stage it is told of becomes the current
    line of a transient spinner with the elapsed time (on stderr); finished stages are
    ticked off with their duration. When not ``enabled`` the callback does nothing."""
    if not enabled:
        yield lambda stage: None
        return
    import time

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = console or Console(stderr=True)
    current: dict[str, Any] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:

        def finish() -> None:
            if current:
                bar.remove_task(current["task"])
                seconds = time.perf_counter() - current["start"]
                console.print(f"  ✓ {current['stage']} ({seconds:.1f} s)", markup=False,
                              highlight=False)

        def step(stage: str) -> None:
            finish()
            current.update(stage=stage, start=time.perf_counter(),
                           task=bar.add_task(stage, total=None))

        yield step
        finish()
