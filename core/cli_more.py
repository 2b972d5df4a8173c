"""Sub-commands that live with their own modules (evaluate, extract, train-wbert)."""
from __future__ import annotations


def register(sub) -> None:
    for module in ("evaluate", "extract", "wbert"):
        try:
            mod = __import__(f"core.{module}", fromlist=["register_cli"])
        except ImportError:
            continue
        if hasattr(mod, "register_cli"):
            mod.register_cli(sub)
