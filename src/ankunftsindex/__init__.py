"""ankunftsindex: an arrival index (Ankunftsindex) for small areas.

The public API is imported lazily so that ``import ankunftsindex`` and the CLI's
``--help`` stay fast and do not load polars or pyarrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Result, compute, compute_frame  # noqa: F401
    from .spec import Spec, load_spec, parse_spec  # noqa: F401

_LAZY = {
    "compute": "pipeline",
    "compute_frame": "pipeline",
    "Result": "pipeline",
    "load_spec": "spec",
    "parse_spec": "spec",
    "Spec": "spec",
    "write_output": "write",
    "read_metadata": "write",
    "load_input": "read",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'ankunftsindex' has no attribute {name!r}")
