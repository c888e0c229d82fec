"""Face embedders by name. Built-ins register on import of `faceid.embedders.contrib`; a deployment may
register its own with `@register` and select it with the MEKONG_FACEID_EMBEDDER setting."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mekong.faceid.embedders.base import FaceEmbedder

Factory = Callable[[], FaceEmbedder]
_factories: dict[str, Factory] = {}
_instances: dict[str, FaceEmbedder] = {}
_lock = threading.Lock()


def register(name: str) -> Callable[[Factory], Factory]:
    def decorate(factory: Factory) -> Factory:
        _factories[name] = factory
        return factory

    return decorate


def names() -> list[str]:
    _load_builtins()
    return sorted(_factories)


def get_embedder(name: str | None = None) -> FaceEmbedder:
    """The embedder `name` (default: the MEKONG_FACEID_EMBEDDER setting), loaded once per process: the
    dlib models take about a second and 100 MB to load."""
    if name is None:
        from django.conf import settings

        name = str(getattr(settings, "MEKONG_FACEID_EMBEDDER", "dlib-hog"))
    _load_builtins()
    with _lock:
        if name not in _instances:
            if name not in _factories:
                raise LookupError(f"no face embedder named {name!r}; known: {', '.join(sorted(_factories))}")
            _instances[name] = _factories[name]()
        return _instances[name]


def _load_builtins() -> None:
    import mekong.faceid.embedders.contrib.dlib  # noqa: F401 (registers itself)
