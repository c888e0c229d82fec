"""The in-process face gallery of each server process.

`Gallery` holds every enrolled vector in memory twice over: in buckets by factor key, for the exact search
a lookup does among tens or hundreds of candidates, and in a faiss index over the whole gallery, for the
duplicate check — exact (`IndexFlatL2`) while the gallery is small, IVF-Flat (about 4·√N lists, probing an
eighth) from IVF_FROM vectors on, trained when the gallery is loaded (docs/decisions/0006-face-index.md
says why faiss and why IVF).

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

import faiss
import numpy as np
import structlog
from django.db.models import QuerySet

from mekong.faceid import vault
from mekong.faceid.models import FaceEmbedding, FaceIndexChange, FaceIndexVersion, IndexOperation

log = structlog.get_logger(__name__)

# Below this many vectors an exact search is fast enough (about 20 ms at a million; far less here) and an
# IVF index could not be trained well (it wants ~40 vectors per list).
IVF_FROM = 50_000
# Web processes serve requests on their own threads; faiss's OpenMP threads would only compete with them.
faiss.omp_set_num_threads(1)


def whole_gallery_index(dimensions: int, training: np.ndarray | None = None) -> faiss.Index:
    """An empty index with our own ids: exact, or IVF-Flat trained on `training` when it is large."""
    if training is None or len(training) < IVF_FROM:
        return faiss.IndexIDMap2(faiss.IndexFlatL2(dimensions))
    lists = int(4 * np.sqrt(len(training)))
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(dimensions), dimensions, lists, faiss.METRIC_L2)
    sample = training[
        np.random.default_rng(0).choice(len(training), min(len(training), lists * 40), replace=False)
    ]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.nprobe = max(1, lists // 8)
    return index


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

    def __init__(self, dimensions: int, version: int = 0, index: faiss.Index | None = None) -> None:
        self.dimensions = dimensions
        self.version = version
        self._entries: dict[int, Entry] = {}
        self._buckets: dict[str, set[int]] = defaultdict(set)
        self._index = index if index is not None else whole_gallery_index(dimensions)
        # faiss indexes are not safe to change while another thread searches them.
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: Entry) -> None:
        self.add_many([entry])

    def add_many(self, entries: Iterable[Entry]) -> None:
        with self._lock:
            fresh = [e for e in entries if e.embedding_id not in self._entries]
            if not fresh:
                return
            for entry in fresh:
                self._entries[entry.embedding_id] = entry
                for key in entry.keys:
                    self._buckets[key].add(entry.embedding_id)
            self._index.add_with_ids(
                np.stack([e.vector for e in fresh]).astype(np.float32),
                np.array([e.embedding_id for e in fresh], dtype=np.int64),
            )

    def remove(self, embedding_id: int) -> None:
        with self._lock:
            entry = self._entries.pop(embedding_id, None)
            if entry is None:
                return
            for key in entry.keys:
                bucket = self._buckets.get(key)
                if bucket is not None:
                    bucket.discard(embedding_id)
                    if not bucket:
                        del self._buckets[key]
            self._index.remove_ids(np.array([embedding_id], dtype=np.int64))  # type: ignore[arg-type]  # the wrapper takes ids

    def bucket(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(owners, vectors) of the embeddings filed under `key`, for an exact search."""
        with self._lock:
            ids = sorted(self._buckets.get(key, ()))
            entries = [self._entries[i] for i in ids]
        if not entries:
            return np.empty(0, dtype=np.int64), np.empty((0, self.dimensions), dtype=np.float32)
        return (
            np.array([e.citizen_id for e in entries], dtype=np.int64),
            np.stack([e.vector for e in entries]),
        )

    def identities(self) -> int:
        with self._lock:
            return len({entry.citizen_id for entry in self._entries.values()})

    @property
    def index_kind(self) -> str:
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "exact"

    def nearest_others(self, vector: np.ndarray, citizen_id: int, count: int = 5) -> list[Neighbour]:
        """The closest embeddings of citizens other than `citizen_id` in the whole gallery (approximate once
        the gallery is large enough for IVF). The citizen's own embeddings (up to five) are skipped."""
        with self._lock:
            if not self._entries:
                return []
            query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
            squared, ids = self._index.search(query, count + 8)
            found: list[Neighbour] = []
            for embedding_id, distance in zip(ids[0].tolist(), squared[0].tolist(), strict=True):
                entry = self._entries.get(int(embedding_id))
                if entry is None or entry.citizen_id == citizen_id:
                    continue  # -1 (fewer results than asked) or one's own face
                found.append(
                    Neighbour(entry.embedding_id, entry.citizen_id, float(np.sqrt(max(distance, 0.0))))
                )
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
    entries = [_entry(row) for row in _rows(embedder).iterator(chunk_size=2000)]
    training = np.stack([e.vector for e in entries]) if len(entries) >= IVF_FROM else None
    gallery = Gallery(dimensions, version, whole_gallery_index(dimensions, training))
    gallery.add_many(entries)
    log.info("faceid_gallery_loaded", embeddings=len(gallery), version=version, index=gallery.index_kind)
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
