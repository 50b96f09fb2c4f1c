"""callcenter: the application around the ACD — config, AMI adapter, engine, MQTT bus, CLI."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """`__version__`, from the installed package's metadata, looked up on first use:
    importlib.metadata takes ~40 ms to import, which only `callcenter --version` should pay."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("callcenter")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
