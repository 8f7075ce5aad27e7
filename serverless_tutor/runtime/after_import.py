"""Run a function on a module right after it is imported, before the import statement
that asked for it returns. The sandbox worker uses it to forward botocore's calls the
moment `botocore.httpsession` loads; the local account to wrap moto's SNS delivery the
moment `moto.sns.models` loads. Neither imports the module itself: both stay lazy."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable
from typing import Any


class AfterImport(importlib.abc.MetaPathFinder):
    """Finds the module named `name` as the other finders would, and runs `after(module)`
    once its body has run, each time it is imported. Insert it first in sys.meta_path."""

    def __init__(self, name: str, after: Callable[[Any], None]):
        self._name = name
        self._after = after

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self._name:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenRun(spec.loader, self._after)
                return spec
        return None


class _ThenRun(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, after: Callable[[Any], None]):
        self._loader = loader
        self._after = after

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        self._after(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_code, ... for inspect and tracebacks
        return getattr(self._loader, name)
