"""Kviz: learn the basics of convolutional networks by quiz and by experiment."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kviz")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
