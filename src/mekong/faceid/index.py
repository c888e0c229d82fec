"""The in-process face gallery of each server process.

`Gallery` holds every enrolled vector in memory twice over: in buckets by factor key, for the exact search
a lookup does among tens or hundreds of candidates, and in a usearch HNSW graph over the whole gallery, for
the duplicate check (docs/decisions/0006-face-index.md says why usearch).

Processes stay consistent through `FaceIndexChange`, an ordered log written in the same transaction as the
enrolment or withdrawal it describes. `current_gallery()` loads everything from the database the first
time a process needs it, then, before each use, applies the changes past the version it has seen: one
small query, and a withdrawal is out of every process's results from the next lookup on.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import structlog
from django.db.models import QuerySet
from usearch.index import Index

from mekong.faceid import vault
from mekong.faceid.models import FaceEmbedding, FaceIndexChange, FaceIndexVersion, IndexOperation

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Entry:
    embedding_id: int
    citizen_id: int
    vector: np.ndarray
    keys: frozenset[str]


@dataclass(frozen=True)
class Neighbour:
    embedding_id: int
    citizen_id: int
    distance: float


class Gallery:
    """Vectors by embedding id, bucketed by factor key, plus an HNSW graph of all of them."""

    def __init__(self, dimensions: int, version: int = 0) -> None:
        self.dimensions = dimensions
        self.version = version
        self._entries: dict[int, Entry] = {}
        self._buckets: dict[str, set[int]] = defaultdict(set)
        self._graph = Index(ndim=dimensions, metric="l2sq", dtype="f32")

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: Entry) -> None:
        if entry.embedding_id in self._entries:
            return
        self._entries[entry.embedding_id] = entry
        for key in entry.keys:
            self._buckets[key].add(entry.embedding_id)
        self._graph.add(entry.embedding_id, entry.vector)

    def add_many(self, entries: Iterable[Entry]) -> None:
        fresh = [e for e in entries if e.embedding_id not in self._entries]
        if not fresh:
            return
        for entry in fresh:
            self._entries[entry.embedding_id] = entry
            for key in entry.keys:
                self._buckets[key].add(entry.embedding_id)
        self._graph.add(
            np.array([e.embedding_id for e in fresh], dtype=np.uint64), np.stack([e.vector for e in fresh])
        )

    def remove(self, embedding_id: int) -> None:
        entry = self._entries.pop(embedding_id, None)
        if entry is None:
            return
        for key in entry.keys:
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.discard(embedding_id)
                if not bucket:
                    del self._buckets[key]
        self._graph.remove(embedding_id)

    def bucket(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(owners, vectors) of the embeddings filed under `key`, for an exact search."""
        ids = sorted(self._buckets.get(key, ()))
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty((0, self.dimensions), dtype=np.float32)
        entries = [self._entries[i] for i in ids]
        return (
            np.array([e.citizen_id for e in entries], dtype=np.int64),
            np.stack([e.vector for e in entries]),
        )

    def identities(self) -> int:
        return len({entry.citizen_id for entry in self._entries.values()})

    def nearest_others(self, vector: np.ndarray, citizen_id: int, count: int = 5) -> list[Neighbour]:
        """The closest embeddings of citizens other than `citizen_id` in the whole gallery (approximate)."""
        if not self._entries:
            return []
        matches = self._graph.search(vector, count + 8)
        found: list[Neighbour] = []
        for key, squared in zip(matches.keys.tolist(), matches.distances.tolist(), strict=True):
            entry = self._entries.get(int(key))
            if entry is None or entry.citizen_id == citizen_id:
                continue
            found.append(Neighbour(entry.embedding_id, entry.citizen_id, float(np.sqrt(max(squared, 0.0)))))
        return found[:count]


# --- one gallery per process, kept in step with the database ---------------------------------------------

_lock = threading.Lock()
_gallery: Gallery | None = None


def _entry(row: FaceEmbedding) -> Entry:
    keys = frozenset(key for key in (row.birth_date_key, row.phone_key) if key)
    return Entry(row.pk, row.citizen_id, vault.unseal(row.vector), keys)


def _rows(embedder: str) -> QuerySet[FaceEmbedding]:
    return FaceEmbedding.objects.filter(embedder=embedder).only(
        "pk", "citizen_id", "vector", "birth_date_key", "phone_key"
    )


def database_version() -> int:
    state = FaceIndexVersion.objects.first()
    return state.version if state is not None else 0


def _load(embedder: str, dimensions: int) -> Gallery:
    # The version first, then the rows: a change committed in between is in the rows and in the log, and
    # applying it twice changes nothing.
    version = database_version()
    gallery = Gallery(dimensions, version)
    gallery.add_many(_entry(row) for row in _rows(embedder).iterator(chunk_size=2000))
    log.info("faceid_gallery_loaded", embeddings=len(gallery), version=version)
    return gallery


def _catch_up(gallery: Gallery, embedder: str) -> None:
    changes = list(FaceIndexChange.objects.filter(version__gt=gallery.version).order_by("version"))
    if not changes:
        return
    added = [c.embedding_id for c in changes if c.operation == IndexOperation.ADD]
    rows = {row.pk: row for row in _rows(embedder).filter(pk__in=added)} if added else {}
    for change in changes:
        if change.operation == IndexOperation.ADD:
            row = rows.get(change.embedding_id)
            if row is not None:  # gone already if the consent was withdrawn since
                gallery.add(_entry(row))
        else:
            gallery.remove(change.embedding_id)
        gallery.version = change.version


def current_gallery(embedder: str, dimensions: int) -> Gallery:
    """This process's gallery, up to date with every committed enrolment and withdrawal."""
    global _gallery
    with _lock:
        if _gallery is None or _gallery.dimensions != dimensions or database_version() < _gallery.version:
            # First use, another model, or a database that went back in time (restored from a backup).
            _gallery = _load(embedder, dimensions)
        else:
            _catch_up(_gallery, embedder)
        return _gallery


def forget() -> None:
    """Drop this process's gallery; the next use reloads it (tests, and after `faceid_reseal`)."""
    global _gallery
    with _lock:
        _gallery = None
