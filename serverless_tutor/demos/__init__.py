"""Bundled, trusted demo handlers for the lessons, and the invoke playground engine.

The handlers are plain Lambda files in handlers/ beside this module, found through
this module's own path so they work from a wheel as well as from a checkout.
catalog.py says what each demo shows and builds its event; playground.py runs them.
"""

from pathlib import Path

HANDLERS_DIR = Path(__file__).resolve().parent / "handlers"
