"""callcenter: the application around the ACD — config, AMI adapter, engine, MQTT bus, CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("callcenter")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
