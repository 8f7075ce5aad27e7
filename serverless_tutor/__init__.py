"""serverless-tutor: learn serverless architecture by running it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("serverless-tutor")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
