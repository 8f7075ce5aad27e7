"""serverless-tutor: learn serverless architecture by running it."""

__version__ = "0.1.0"
