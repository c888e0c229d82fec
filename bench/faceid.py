"""`make bench-faceid`: how well and how fast the face lookup works, and which vector index the whole-gallery
search should use.

  photos      every photo under --faces (people/<person>/<photo>; multi/ and hard/ if present) through the
              lookup pipeline: decode, detect, quality gate, embed (the registry's --embedder)
  accuracy    genuine and impostor distances, the calibration, thresholds per candidate count, TAR and FAR
              at them and at the usual 0.6, and leave-one-out 1:N identification with the lookup's rule
  false match the chance that a lookup matches a stranger, FPIR(N) = 1 − (1 − FAR)^N, at 100, 1,000 and
              1,000,000 candidates: why a lookup searches only the identities sharing the remembered factor
  latency     photo in → answer for 640×480 JPEGs (decode, detect, quality, embed, exact search among ~100
              candidates, decision), one at a time
  search      --vectors synthetic embeddings (default 1,000,000) drawn from a normal model of the real ones
              (mean, covariance shrunk so that impostor distances match: see mekong.faceid.evaluation);
              usearch (HNSW, f32 and f16) and faiss-cpu (HNSW, IVF) against exact NumPy search in the same
              run: single-query p50/p99, speed ratio, recall@1, build time, index memory

No Django: the face modules are pure. Prints progress as it goes; the last line is one JSON object.
"""

from __future__ import annotations

import os

# A lookup runs on one request thread: the exact search it is compared with gets one BLAS thread too (set
# before NumPy loads OpenBLAS; OPENBLAS_NUM_THREADS in the environment overrides it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import io
import json
import math
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from mekong.faceid import calibration, images
from mekong.faceid.embedders.base import FaceEmbedder
from mekong.faceid.embedders.registry import get_embedder, names
from mekong.faceid.evaluation import (
    EmbeddingModel,
    Gallery,
    Outcome,
    PhotoReading,
    labelled_photos,
    leave_one_out,
    percentile_ms,
    photos_in,
    random_pair_distances,
    read_photo,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FACES = ROOT.parent / "shared" / "faces"
THRESHOLD_COUNTS = (10, 35, 100)  # typical candidate counts of a lookup bucket
FPIR_COUNTS = (100, 1_000, 1_000_000)
BUCKET = 100  # the bucket the false-match table and the latency run use
LATENCY_SIZE = (640, 480)
RECALL_TARGET = 0.99  # on "same person, new photo" queries: the case the whole-gallery search is for


def step(label: str) -> None:
    print(f"• {label}", flush=True)


def say(line: str) -> None:
    print(f"  {line}", flush=True)


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def mib(count: float) -> float:
    return round(count / 2**20, 1)


def rounded(values: dict[str, Any], digits: int = 4) -> dict[str, Any]:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in values.items()}


def summary(distances: Iterable[float]) -> dict[str, Any]:
    s = calibration.DistanceSummary.of(list(distances))
    return {
        "count": s.count,
        "mean": round(s.mean, 4),
        "std": round(s.std, 4),
        "min": round(s.minimum, 4),
        "max": round(s.maximum, 4),
        "percentiles": {k: round(v, 4) for k, v in s.percentiles.items()},
    }


# --- 1. Photos ---------------------------------------------------------------------------------------


def read_folder(faces: Path, embedder: FaceEmbedder) -> dict[str, Any]:
    people = labelled_photos(faces)
    readings: dict[str, list[tuple[Path, PhotoReading]]] = {}
    started = time.perf_counter()
    for person, photos in people.items():
        readings[person] = [(photo, read_photo(photo.read_bytes(), embedder)) for photo in photos]
    report: list[dict[str, Any]] = []
    for _person, pairs in readings.items():
        for photo, reading in pairs:
            report.append(
                {
                    "photo": str(photo.relative_to(faces)),
                    "faces": reading.faces,
                    "refused": reading.problem.value if reading.problem else None,
                    "face_px": reading.face_width,
                    "brightness": round(reading.brightness, 1),
                    "sharpness": round(reading.sharpness, 1),
                }
            )
            flag = f"quality gate would refuse: {reading.problem.value}" if reading.problem else "ok"
            say(f"{photo.relative_to(faces)}: {reading.faces} face(s), {flag}")
    count = sum(len(p) for p in people.values())
    say(f"{count} photos of {len(people)} people in {time.perf_counter() - started:.1f} s")

    multi = []
    for photo in photos_in(faces / "multi"):
        reading = read_photo(photo.read_bytes(), embedder)
        refused = reading.problem.value if reading.problem else None
        multi.append(
            {
                "photo": str(photo.relative_to(faces)),
                "faces": reading.faces,
                "refused": refused,
                "ok": refused == images.ImageProblem.SEVERAL_FACES.value,
            }
        )
        say(f"{photo.relative_to(faces)}: {reading.faces} faces, refused: {refused}")
    hard = []
    for photo in photos_in(faces / "hard"):
        reading = read_photo(photo.read_bytes(), embedder)
        hard.append(
            {
                "photo": str(photo.relative_to(faces)),
                "faces": reading.faces,
                "refused": reading.problem.value if reading.problem else None,
            }
        )
        say(f"{photo.relative_to(faces)}: {reading.faces} face(s), refused: {hard[-1]['refused']}")
    return {"readings": readings, "report": report, "multi": multi, "hard": hard}


# --- 2. Accuracy ---------------------------------------------------------------------------------------


def accuracy(
    embeddings: dict[str, list[np.ndarray]],
    photo_names: dict[str, list[str]],
    genuine: list[float],
    impostor: list[float],
    cal: calibration.Calibration,
) -> dict[str, Any]:
    thresholds = {str(n): round(cal.threshold(n), 4) for n in THRESHOLD_COUNTS}
    measured = [
        {"at": f"threshold({n})", **rounded(calibration.rates(genuine, impostor, cal.threshold(n)))}
        for n in THRESHOLD_COUNTS
    ]
    measured.append(
        {
            "at": "published 0.6",
            **rounded(calibration.rates(genuine, impostor, calibration.PUBLISHED_ANCHOR_DISTANCE)),
        }
    )
    for row in measured:
        say(
            f"{row['at']:>16} = {row['threshold']:.3f}: TAR {row['tar']:.3f} "
            f"({row['genuine_pairs']} pairs), FAR {row['far']:.3f} ({row['impostor_pairs']} pairs)"
        )
    loo = leave_one_out(embeddings, cal, photo_names)
    say(f"leave-one-out 1:N: {loo.counts}")
    for row in loo.photos:
        if row["outcome"] not in (Outcome.CORRECT.value, Outcome.CORRECTLY_NOT_FOUND.value):
            say(
                f"  {row['photo']}: {row['outcome']} (nearest {row['nearest']} at {row['distance']}, "
                f"next {row['runner_up']}, threshold {row['threshold']})"
            )
    people = len(embeddings)
    photos = sum(len(v) for v in embeddings.values())
    return {
        "people": people,
        "photos": photos,
        "genuine": summary(genuine),
        "impostor": summary(impostor),
        "calibration": {
            "impostor_mean": round(cal.mean, 4),
            "impostor_std_used": round(cal.std, 4),
            "impostor_std_measured": round(cal.measured_std, 4),
            "anchored_to_published_far": cal.anchored,
            "target_fpir": cal.target_fpir,
            "margin": cal.margin,
            "max_threshold": cal.max_threshold,
            "notes": cal.notes,
        },
        "thresholds_by_candidates": thresholds,
        "measured_rates": measured,
        "identification_leave_one_out": {
            "rule": (
                "each photo against a gallery of all the other photos (identity = person); accept the "
                "nearest identity when its distance ≤ threshold(n identities in the gallery) and the next "
                f"identity is at least {cal.margin} further; a person with one photo is not enrolled when "
                "that photo is the query, so 'correctly_not_found' is the right answer there"
            ),
            "counts": loo.counts,
            "photos": loo.photos,
        },
        "limits": limits(people, photos, genuine, impostor),
    }


def limits(people: int, photos: int, genuine: list[float], impostor: list[float]) -> str:
    false_accepts = sum(d <= calibration.PUBLISHED_ANCHOR_DISTANCE for d in impostor)
    bound = 3 / len(impostor) if impostor else math.nan
    gap = (min(impostor) - max(genuine)) if genuine and impostor else math.nan
    return (
        f"{photos} photos of {people} people give {len(genuine)} genuine and {len(impostor)} impostor "
        "pairs, and the pairs are not independent (each photo is in many of them). They can show that the "
        "pipeline works end to end, that multi-face photos are refused, and that on these photos the "
        f"same-person and different-person distances are apart (gap {gap:.2f} between the largest genuine "
        "and the smallest impostor distance), so the thresholds do not cut into either. They cannot measure a "
        f"false-accept rate: {false_accepts} of {len(impostor)} impostor pairs fall within 0.6, which bounds "
        f"FAR per pair only below about {bound:.1%} (rule of three, 95 %), thousands of times coarser than "
        "the 1e-6 a bucket of 100 needs; the thresholds therefore rest on the published FAR anchor "
        "(1/300 at 0.6) and the normal model, not on these photos. TAR is measured on "
        f"{len(genuine)} pairs of {people} people (±{1.96 * math.sqrt(0.25 / max(len(genuine), 1)):.0%} at "
        "best). Nothing here speaks for Vietnamese faces, children and the elderly, ageing between enrolment "
        "and lookup, phone cameras, or poor light; a labelled set of a few hundred local people in the "
        "same layout, measured with --faces, is needed before the thresholds are trusted."
    )


# --- 3. False matches --------------------------------------------------------------------------------------


def false_matches(
    cal: calibration.Calibration,
    genuine: list[float],
    impostor: list[float],
    synthetic: dict[str, Any] | None,
) -> dict[str, Any]:
    fit_only = calibration.calibrate([], impostor, model=cal.model, anchor=None)
    rows = {}
    model_fpir: dict[str, dict[int, float]] = {}
    for label, threshold in (
        (f"threshold({BUCKET})", cal.threshold(BUCKET)),
        ("published 0.6", calibration.PUBLISHED_ANCHOR_DISTANCE),
    ):
        observed = sum(d <= threshold for d in impostor)
        # With no impostor pair inside the threshold, the observed rate is only an upper bound (rule of 3).
        observed_far = observed / len(impostor) if observed else 3 / len(impostor)
        far_model = cal.far(threshold)
        far_fit = fit_only.far(threshold)
        model_fpir[label] = {n: calibration.fpir(far_model, n) for n in FPIR_COUNTS}
        row = {
            "threshold": round(threshold, 4),
            "far_per_comparison": {
                "model": far_model,
                "measured_fit_only": far_fit,
                "observed": f"{observed}/{len(impostor)}",
                "observed_or_upper_95": observed_far,
            },
            "fpir": {
                str(n): {
                    "model": round(calibration.fpir(far_model, n), 6),
                    "measured_fit_only": round(calibration.fpir(far_fit, n), 6),
                    "observed_or_upper_95": round(calibration.fpir(observed_far, n), 6),
                }
                for n in FPIR_COUNTS
            },
        }
        if synthetic is not None:
            row["fpir_in_synthetic_gallery"] = synthetic.get(label)
        rows[label] = row
        say(
            f"{label} = {threshold:.3f}: FAR {far_model:.2e} (model) → FPIR "
            + ", ".join(f"N={n:,}: {calibration.fpir(far_model, n):.2%}" for n in FPIR_COUNTS)
        )
    largest = FPIR_COUNTS[-1]
    whole = cal.threshold(largest)
    whole_tar = calibration.rates(genuine, impostor, whole)["tar"]
    bucket, usual = model_fpir[f"threshold({BUCKET})"], model_fpir["published 0.6"]
    conclusion = (
        f"At the threshold a bucket of {BUCKET} allows ({cal.threshold(BUCKET):.3f}) the model expects a "
        "false match in "
        + ", ".join(f"{bucket[n]:.2%} of lookups among {n:,} identities" for n in FPIR_COUNTS)
        + "; at the usual 0.6 in "
        + ", ".join(f"{usual[n]:.2%} among {n:,}" for n in FPIR_COUNTS)
        + f". Keeping FPIR at {cal.target_fpir:g} among {largest:,} would need a threshold of {whole:.3f}, "
        f"which accepts {whole_tar:.0%} of the measured same-person pairs. So a lookup can only search the "
        "identities that share the remembered factor; the whole-gallery search can flag possible double "
        "enrolments for an official to check, never answer a citizen."
    )
    say(conclusion)
    return {
        "method": (
            "FPIR(N) = 1 − (1 − FAR)^N with FAR per comparison from: the calibration's normal model of "
            "impostor distances anchored to the published 1/300 at 0.6 ('model', what the lookup uses); the "
            "normal fit to the measured distances alone ('measured_fit_only', more optimistic); and the "
            "observed fraction of impostor pairs within the threshold, or its 95 % upper bound 3/pairs when "
            "none is ('observed_or_upper_95'). 'fpir_in_synthetic_gallery': for queries of people not "
            "enrolled, how often the nearest of the first N synthetic embeddings is within the threshold — "
            "the synthetic model has the measured spread, so it checks 'measured_fit_only' by counting; it "
            "is not a measurement of people."
        ),
        "by_threshold": rows,
        "threshold_for_whole_gallery": {
            "candidates": largest,
            "threshold": round(whole, 4),
            "measured_tar": whole_tar,
        },
        "conclusion": conclusion,
    }


# --- 4. End-to-end latency -----------------------------------------------------------------------------


def crop_640x480(path: Path, reading: PhotoReading) -> bytes:
    """A 640×480 JPEG of the photo, cropped to 4:3 around its face (upscaled when smaller)."""
    image = Image.fromarray(images.decode(path.read_bytes()))
    width, height = image.size
    crop_w = min(width, height * 4 / 3)
    crop_h = crop_w * 3 / 4
    box = reading.box
    cx = (box.left + box.right) / 2 if box else width / 2
    cy = (box.top + box.bottom) / 2 if box else height / 2
    left = min(max(cx - crop_w / 2, 0), width - crop_w)
    top = min(max(cy - crop_h / 2, 0), height - crop_h)
    cropped = image.crop((round(left), round(top), round(left + crop_w), round(top + crop_h)))
    out = io.BytesIO()
    cropped.resize(LATENCY_SIZE, Image.Resampling.LANCZOS).save(out, "JPEG", quality=90)
    return out.getvalue()


def latency(
    readings: dict[str, list[tuple[Path, PhotoReading]]],
    embedder: FaceEmbedder,
    cal: calibration.Calibration,
    model: EmbeddingModel,
    repetitions: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    # Each query photo's bucket: BUCKET − 1 synthetic strangers and the person, enrolled with their
    # other photos (a person with one photo is not enrolled: the answer is then "not found").
    cases = []
    for person, pairs in readings.items():
        for index, (path, reading) in enumerate(pairs):
            if reading.vector is None or reading.faces != 1:
                continue
            own = [r.vector for j, (_, r) in enumerate(pairs) if j != index and r.vector is not None]
            strangers = model.sample(BUCKET - (1 if own else 0), rng)
            enrolled: dict[str, list[np.ndarray]] = {f"stranger-{k}": [v] for k, v in enumerate(strangers)}
            if own:
                enrolled[person] = own
            cases.append((person, bool(own), crop_640x480(path, reading), enrolled))
    stages: dict[str, list[float]] = {
        k: [] for k in ("decode", "detect", "quality", "embed", "search", "total")
    }
    cpu: list[float] = []
    answers = {o.value: 0 for o in Outcome}
    refused: dict[str, int] = {}
    for rep in range(repetitions + 2):  # the first two warm up and are not counted
        person, is_enrolled, data, enrolled = cases[rep % len(cases)]
        c0, t0 = time.thread_time(), time.perf_counter()
        image = images.decode(data)
        t1 = time.perf_counter()
        faces = embedder.detect(image)
        t2 = time.perf_counter()
        try:
            face = images.the_one_face(image, faces)
        except images.UnusablePhoto as problem:
            if rep >= 2:
                refused[problem.problem.value] = refused.get(problem.problem.value, 0) + 1
            continue
        t3 = time.perf_counter()
        vector = embedder.embed(image, face)
        t4 = time.perf_counter()
        match = Gallery(enrolled).identify(vector, cal)
        t5, c5 = time.perf_counter(), time.thread_time()
        if rep < 2:
            continue
        cpu.append(c5 - c0)
        for key, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0), strict=True):
            stages[key].append(seconds)
        answer = (
            Outcome.CORRECT
            if match.identity == person
            else Outcome.WRONG
            if match.identity is not None
            else Outcome.NOT_FOUND
            if is_enrolled
            else Outcome.CORRECTLY_NOT_FOUND
        )
        answers[answer.value] += 1
    timed = len(stages["total"])
    result = {
        "photo": f"{LATENCY_SIZE[0]}×{LATENCY_SIZE[1]} JPEG (quality 90), cropped 4:3 around the face from "
        f"{len(cases)} photos of --faces, taken in turn",
        "cpu_count": os.cpu_count(),
        "embedder": embedder.name,
        "candidates": BUCKET,
        "repetitions": timed,
        "p50_ms": percentile_ms(stages["total"], 50) if timed else None,
        "p90_ms": percentile_ms(stages["total"], 90) if timed else None,
        "cpu_p50_ms": percentile_ms(cpu, 50) if timed else None,
        "load_average": round(os.getloadavg()[0], 2),
        "stages_p50_ms": {k: percentile_ms(v, 50) for k, v in stages.items() if k != "total" and v},
        "answers": answers,
        "refused_by_quality_gate": refused,
        "not_included": "loading and decrypting the bucket's embeddings from the database, the HTTP round "
        "trip, and the liveness check's second frame",
    }
    say(
        f"photo in → answer: p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms over {timed} lookups; "
        f"stages p50 {result['stages_p50_ms']}; answers {answers}"
    )
    return result


# --- 5. Whole-gallery search ---------------------------------------------------------------------------


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started, self.shown = label, total, time.perf_counter(), -1

    def __call__(self, done: int) -> None:
        tenth = done * 10 // self.total
        if tenth != self.shown:
            self.shown = tenth
            elapsed = time.perf_counter() - self.started
            bar = "#" * tenth + "." * (10 - tenth)
            print(f"\r  {self.label} [{bar}] {done:,}/{self.total:,} {elapsed:.0f} s", end="", flush=True)
            if done >= self.total:
                print(flush=True)


def timed_search(
    search: Callable[[np.ndarray], int], queries: np.ndarray
) -> tuple[np.ndarray, list[float], list[float]]:
    """Each query's answer, wall time and CPU time of this thread (every search here runs on the calling
    thread; CPU time is what the search costs even when other work shares the cores)."""
    found = np.empty(len(queries), dtype=np.int64)
    seconds, cpu = [], []
    for i, query in enumerate(queries):
        t0, c0 = time.perf_counter(), time.thread_time()
        found[i] = search(query)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return found, seconds, cpu


def brute_force(
    gallery: np.ndarray, queries: np.ndarray, prefixes: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, list[float], list[float], np.ndarray]:
    """Exact nearest neighbour of each query, one query at a time, vectorised over the float32 matrix:
    ‖x − q‖² = ‖x‖² − 2 x·q + ‖q‖² with ‖x‖² computed once. Also the nearest distance among the first N
    rows for each N in `prefixes` (for the false-match check)."""
    norms = np.einsum("ij,ij->i", gallery, gallery)
    found = np.empty(len(queries), dtype=np.int64)
    nearest = np.empty(len(queries))
    within = np.empty((len(queries), len(prefixes)))
    seconds, cpu = [], []
    progress = Progress("NumPy exact", len(queries))
    for i, query in enumerate(queries):
        t0, c0 = time.perf_counter(), time.thread_time()
        squared = norms - 2 * (gallery @ query)
        best = int(np.argmin(squared))
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        found[i] = best
        q2 = float(query @ query)
        nearest[i] = math.sqrt(max(float(squared[best]) + q2, 0.0))
        for k, n in enumerate(prefixes):
            within[i, k] = math.sqrt(max(float(squared[:n].min()) + q2, 0.0))
        progress(i + 1)
    return found, nearest, seconds, cpu, within


def measure_setting(
    name: str,
    setting: str,
    search: Callable[[np.ndarray], int],
    queries: np.ndarray,
    truth: np.ndarray,
    noisy: int,
    exact_ms: tuple[float, float],
) -> dict[str, Any]:
    search(queries[0])  # warm
    found, seconds, cpu = timed_search(search, queries)
    hits = found == truth
    p50, p99 = percentile_ms(seconds, 50), percentile_ms(seconds, 99)
    row: dict[str, Any] = {
        "setting": setting,
        "p50_ms": p50,
        "p99_ms": p99,
        "cpu_p50_ms": percentile_ms(cpu, 50),
        "recall_at_1": round(float(hits.mean()), 4),
        "recall_at_1_new_photo": round(float(hits[:noisy].mean()), 4),
        "recall_at_1_not_enrolled": round(float(hits[noisy:].mean()), 4) if len(queries) > noisy else None,
    }
    row["speedup_p50"] = round(exact_ms[0] / p50, 1) if p50 else None
    row["speedup_p99"] = round(exact_ms[1] / p99, 1) if p99 else None
    say(
        f"{name} {setting}: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms (CPU p50 {row['cpu_p50_ms']} ms), "
        f"recall@1 "
        f"{row['recall_at_1']} (new photo {row['recall_at_1_new_photo']}, not enrolled "
        f"{row['recall_at_1_not_enrolled']}), ×{row['speedup_p50']} vs exact"
    )
    return row


def operating_point(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest setting that finds the enrolled person in RECALL_TARGET of new-photo queries (else the
    most accurate)."""
    good = [r for r in rows if r["recall_at_1_new_photo"] >= RECALL_TARGET]
    if good:
        return min(good, key=lambda r: r["p50_ms"])
    return max(rows, key=lambda r: (r["recall_at_1_new_photo"], -r["p50_ms"]))


# Graph parameters shared by both HNSW libraries, so that they build comparable graphs: 32 links per node
# (64 on the bottom layer) and a candidate list of 200 while inserting (hnswlib's default). The synthetic
# set has ~60 effective dimensions, a hard case for graphs: with 16 links recall@1 stayed under 0.9 at
# 100,000 vectors even with a search list of 512, and with an insertion list of 64 the first full run
# reached 0.99 at 1,000,000 vectors only with a search list of 2,048; at 200,000 vectors 200 instead of 64
# raised recall@1 at a search list of 256 from 0.92 to 0.98 (faiss) and 0.97 to 0.99 (usearch) for about
# 3× the build time.
HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = (64, 128, 256, 512, 1024, 2048)
# IVF: about 4·√N lists (at 200,000 vectors 4× more lists than √N found the nearest more often for the
# same share of the vectors scanned), probing 1/64 … 1/4 of them.
IVF_LISTS_PER_SQRT_N = 4
IVF_PROBED_SHARES = (64, 32, 16, 8, 4)


class VectorIndex(ABC):
    """One index under test: built once, then searched one query at a time at each search setting."""

    name: str
    library: str
    settings: tuple[int, ...]
    setting_name: str
    index: Any
    parameters: dict[str, Any]

    @abstractmethod
    def build(self, gallery: np.ndarray, rng: np.random.Generator) -> None:
        """Implemented by each library's index."""

    @abstractmethod
    def configure(self, value: int) -> None:
        """Implemented by each library's index."""

    @abstractmethod
    def nearest(self, query: np.ndarray) -> int:
        """Implemented by each library's index."""

    @abstractmethod
    def structure(self) -> dict[str, Any]:
        """Implemented by each library's index."""


class Usearch(VectorIndex):
    library = "usearch"
    settings = HNSW_EF_SEARCH
    setting_name = "expansion_search"

    def __init__(self, dtype: str) -> None:
        self.name, self.dtype = f"usearch-{dtype}", dtype

    def build(self, gallery: np.ndarray, rng: np.random.Generator) -> None:
        from usearch.index import Index

        self.index = Index(
            ndim=gallery.shape[1],
            metric="l2sq",
            dtype=self.dtype,
            connectivity=HNSW_LINKS,
            expansion_add=HNSW_EF_CONSTRUCTION,
        )
        progress = Progress(f"{self.name} build", len(gallery))
        chunk = 50_000
        for start in range(0, len(gallery), chunk):
            block = gallery[start : start + chunk]
            keys = np.arange(start, start + len(block), dtype=np.uint64)
            self.index.add(keys, block, threads=os.cpu_count() or 1)
            progress(start + len(block))

    def configure(self, value: int) -> None:
        self.index.expansion_search = value

    def nearest(self, query: np.ndarray) -> int:
        return int(self.index.search(query, 1, threads=1).keys[0])

    def structure(self) -> dict[str, Any]:
        return {
            "bytes": int(self.index.serialized_length),
            "memory_usage_bytes": int(self.index.memory_usage),
            "parameters": {
                "metric": "l2sq",
                "dtype": self.dtype,
                "connectivity": HNSW_LINKS,
                "expansion_add": HNSW_EF_CONSTRUCTION,
            },
            "hardware_acceleration": str(self.index.hardware_acceleration),
        }


class FaissIndex(VectorIndex):
    library = "faiss-cpu"

    def nearest(self, query: np.ndarray) -> int:
        return int(self.index.search(query[None, :], 1)[1][0, 0])

    def add(self, gallery: np.ndarray) -> None:
        progress = Progress(f"{self.name} add", len(gallery))
        chunk = 50_000
        for start in range(0, len(gallery), chunk):
            self.index.add(gallery[start : start + chunk])
            progress(min(start + chunk, len(gallery)))

    def structure(self) -> dict[str, Any]:
        import faiss

        return {"bytes": int(faiss.serialize_index(self.index).nbytes), "parameters": self.parameters}


class FaissHnsw(FaissIndex):
    settings = HNSW_EF_SEARCH
    setting_name = "efSearch"

    def __init__(self, dtype: str) -> None:
        self.name, self.dtype = f"faiss-hnsw-{dtype}", dtype

    def build(self, gallery: np.ndarray, rng: np.random.Generator) -> None:
        import faiss

        library: Any = faiss  # its stubs type the quantizer constants as int
        dimensions = gallery.shape[1]
        if self.dtype == "f16":  # vectors stored as float16, like usearch's f16
            self.index = library.IndexHNSWSQ(dimensions, library.ScalarQuantizer.QT_fp16, HNSW_LINKS)
            self.index.train(gallery[:1_000])  # fp16 needs no statistics; the call marks it trained
        else:
            self.index = library.IndexHNSWFlat(dimensions, HNSW_LINKS)
        self.index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        self.parameters = {
            "metric": "L2",
            "storage": "fp16 (IndexHNSWSQ)" if self.dtype == "f16" else "float32 (IndexHNSWFlat)",
            "M": HNSW_LINKS,
            "efConstruction": HNSW_EF_CONSTRUCTION,
        }
        self.add(gallery)

    def configure(self, value: int) -> None:
        self.index.hnsw.efSearch = value


class FaissIvf(FaissIndex):
    name = "faiss-ivf-f32"
    setting_name = "nprobe"

    def build(self, gallery: np.ndarray, rng: np.random.Generator) -> None:
        import faiss

        lists = 1 << max(4, round(math.log2(IVF_LISTS_PER_SQRT_N * math.sqrt(len(gallery)))))
        self.settings = tuple(max(1, lists // share) for share in IVF_PROBED_SHARES)
        self.index = faiss.IndexIVFFlat(faiss.IndexFlatL2(gallery.shape[1]), gallery.shape[1], lists)
        # faiss asks for at least 39 training vectors per list
        training = gallery[rng.choice(len(gallery), min(len(gallery), 40 * lists), replace=False)]
        say(f"{self.name}: k-means of {lists} lists on {len(training):,} vectors")
        self.index.train(training)
        self.parameters = {"metric": "L2", "nlist": lists, "trained_on": len(training)}
        self.add(gallery)

    def configure(self, value: int) -> None:
        self.index.nprobe = value


INDEXES: dict[str, Callable[[], VectorIndex]] = {
    "usearch-f32": lambda: Usearch("f32"),
    "usearch-f16": lambda: Usearch("f16"),
    "faiss-hnsw-f32": lambda: FaissHnsw("f32"),
    "faiss-hnsw-f16": lambda: FaissHnsw("f16"),
    "faiss-ivf-f32": FaissIvf,
}
# usearch-f32 finds what usearch-f16 finds at each search setting with 1.5× the memory, and is the slowest
# to build by far (8 min over 1,000,000 vectors with an insertion list of 64; not done after 23 min at 600,000
# with 200 on the shared cores): measure it with --indexes when needed.
DEFAULT_INDEXES = [name for name in INDEXES if name != "usearch-f32"]


def synthetic_gallery(
    model: EmbeddingModel, vectors: int, noisy_count: int, random_count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    gallery = np.empty((vectors, model.dimensions), dtype=np.float32)
    progress = Progress("synthetic gallery", vectors)
    for start, block in model.sample_chunks(vectors, rng):
        gallery[start : start + len(block)] = block
        progress(start + len(block))
    sources = rng.choice(vectors, noisy_count, replace=False)
    queries = np.concatenate([model.new_photos(gallery[sources], rng), model.sample(random_count, rng)])
    impostor = random_pair_distances(gallery, 20_000, rng)
    new_photo = np.linalg.norm(queries[:noisy_count] - gallery[sources], axis=1)
    norms = np.linalg.norm(gallery[:100_000], axis=1)
    description = {
        "model": "normal: the per-dimension mean of the real embeddings; covariance = t × ((1 − a) × shape "
        "of the sample covariance + a × identity / 128), with a chosen so that the spread of squared "
        "impostor distances is the measured one and t so that their mean is",
        "why": "the sample covariance of a few dozen photos is singular in 128 dimensions (rank ≤ photos − "
        "1) and describes only the few people photographed; shrinking it toward an isotropic one keeps its "
        "main directions and gives every direction some variance, and fitting the shrinkage to the "
        "impostor spread keeps what an index sees (how far strangers are, how crowded the neighbourhood "
        "is) close to the real embeddings. Unstructured normal data is a hard case for graph and cluster "
        "indexes (real embeddings cluster by age, sex, origin), so recall here is more likely pessimistic "
        "than optimistic",
        "shrinkage": round(model.shrinkage, 4),
        "effective_dimensions": round(model.effective_dimensions, 1),
        "norms": summary(norms.tolist()),
        "impostor_distances": summary(impostor.tolist()),
        "new_photo_query_distances": summary(new_photo.tolist()),
    }
    say(
        f"model: shrinkage {model.shrinkage:.3f}, effective dimensions {model.effective_dimensions:.0f}; "
        f"norms {norms.mean():.3f} ± {norms.std():.3f}; impostor distances {impostor.mean():.3f} ± "
        f"{impostor.std():.3f}; new-photo queries at {new_photo.mean():.3f} ± {new_photo.std():.3f}"
    )
    return gallery, queries, sources, description


def whole_gallery(
    model: EmbeddingModel,
    real: dict[str, Any],
    cal: calibration.Calibration,
    vectors: int,
    noisy_count: int,
    random_count: int,
    rng: np.random.Generator,
    which: list[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    import faiss

    threads = os.cpu_count() or 1
    rss_start = rss_bytes()
    step(f"Whole-gallery search: {vectors:,} synthetic embeddings")
    gallery, queries, sources, description = synthetic_gallery(model, vectors, noisy_count, random_count, rng)
    description["real"] = real
    rss_data = rss_bytes()

    step(
        f"Exact search in NumPy, one query at a time: {noisy_count} new photos of enrolled people, "
        f"{random_count} people not enrolled"
    )
    prefixes = tuple(n for n in FPIR_COUNTS if n <= vectors)
    truth, nearest, exact_seconds, exact_cpu, within = brute_force(gallery, queries, prefixes)
    exact_p50, exact_p99 = percentile_ms(exact_seconds, 50), percentile_ms(exact_seconds, 99)
    exact = {
        "method": "‖x‖² − 2·X·q over the float32 matrix (‖x‖² precomputed), argmin; one query at a time",
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "p50_ms": exact_p50,
        "p99_ms": exact_p99,
        "cpu_p50_ms": percentile_ms(exact_cpu, 50),
        "nearest_is_source_for_new_photos": round(float((truth[:noisy_count] == sources).mean()), 4),
        "nearest_stranger_distance": summary(nearest[noisy_count:].tolist()) if random_count else None,
        "matrix_bytes": int(gallery.nbytes),
        "load_average": round(os.getloadavg()[0], 2),
    }
    say(
        f"exact: p50 {exact['p50_ms']} ms, p99 {exact['p99_ms']} ms; the nearest is the query's source "
        f"for {exact['nearest_is_source_for_new_photos']:.1%} of new photos"
    )
    not_enrolled = within[noisy_count:]
    synthetic_fpir: dict[str, Any] = {}
    for label, threshold in (
        (f"threshold({BUCKET})", cal.threshold(BUCKET)),
        ("published 0.6", calibration.PUBLISHED_ANCHOR_DISTANCE),
    ):
        synthetic_fpir[label] = {
            str(n): f"{int((not_enrolled[:, k] <= threshold).sum())}/{len(not_enrolled)}"
            for k, n in enumerate(prefixes)
        }

    results: dict[str, Any] = {}
    for name in which:
        index = INDEXES[name]()
        step(f"{name}: build over {vectors:,} vectors with {threads} threads")
        gc.collect()
        faiss.omp_set_num_threads(threads)
        rss_before, load_before = rss_bytes(), os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        index.build(gallery, rng)
        build_seconds, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rss_after = rss_bytes()
        faiss.omp_set_num_threads(1)  # a lookup is one query on one request thread
        rows = []
        for value in index.settings:
            index.configure(value)
            rows.append(
                measure_setting(
                    name,
                    f"{index.setting_name}={value}",
                    index.nearest,
                    queries,
                    truth,
                    noisy_count,
                    (exact_p50, exact_p99),
                )
            )
        structure = index.structure()
        chosen = operating_point(rows)
        results[name] = {
            "library": index.library,
            "build_seconds": round(build_seconds, 1),
            "build_cpu_seconds": round(build_cpu, 1),
            "index_mib": mib(structure["bytes"]),
            "rss_delta_mib": mib(rss_after - rss_before),
            **structure,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "settings": rows,
            "operating_point": chosen,
        }
        say(
            f"{name}: built in {build_seconds:.0f} s ({build_cpu:.0f} s of CPU); index "
            f"{results[name]['index_mib']} MiB, RSS +{results[name]['rss_delta_mib']} MiB; at "
            f"{chosen['setting']}: p50 {chosen['p50_ms']} ms, p99 {chosen['p99_ms']} ms, recall@1 "
            f"{chosen['recall_at_1_new_photo']} (new photos)"
        )
        del index
        gc.collect()
    search_result = {
        "vectors": vectors,
        "dimensions": model.dimensions,
        "queries": {"new_photo_of_enrolled": noisy_count, "not_enrolled": random_count},
        "synthetic": description,
        "exact_numpy": exact,
        "indexes": results,
        "operating_point_rule": f"the fastest search setting with recall@1 ≥ {RECALL_TARGET} on new-photo "
        "queries (the case the whole-gallery search is for), else the most accurate",
        "search_threads": 1,
        "build_threads": threads,
        "process_rss_mib": {
            "at_start": mib(rss_start),
            "with_gallery_and_queries": mib(rss_data),
            "at_end": mib(rss_bytes()),
        },
    }
    return search_result, synthetic_fpir


# --- main ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--faces",
        type=Path,
        default=DEFAULT_FACES,
        help="labelled photos: people/<person>/<photo> (default ../shared/faces)",
    )
    parser.add_argument("--embedder", default="dlib-hog", help=f"one of: {', '.join(names())}")
    parser.add_argument("--vectors", type=int, default=1_000_000, help="synthetic gallery size")
    parser.add_argument("--queries", type=int, default=500, help="new-photo queries of enrolled people")
    parser.add_argument("--strangers", type=int, default=100, help="queries of people not enrolled")
    parser.add_argument("--latency-runs", type=int, default=60)
    parser.add_argument(
        "--indexes",
        default=",".join(DEFAULT_INDEXES),
        help=f"comma-separated, of: {', '.join(INDEXES)} (default: all but usearch-f32)",
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    faces = args.faces.resolve()
    if not (faces / "people").is_dir():
        raise SystemExit(
            f"Không tìm thấy ảnh có nhãn ở {faces} / no labelled photos at {faces}: expected "
            "people/<person>/<photo> (default ../shared/faces beside the repository; --faces DIR)"
        )
    if args.latency_runs < 1 or args.vectors < 1_000 or args.queries < 1 or args.strangers < 0:
        raise SystemExit("--latency-runs and --queries must be ≥ 1, --vectors ≥ 1,000, --strangers ≥ 0")
    which = [name.strip() for name in args.indexes.split(",") if name.strip()]
    unknown = [name for name in which if name not in INDEXES]
    if unknown:
        raise SystemExit(f"unknown index {', '.join(unknown)}; known: {', '.join(INDEXES)}")
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]

    step(f"Embedder {args.embedder}")
    t0 = time.perf_counter()
    embedder = get_embedder(args.embedder)
    say(f"loaded in {time.perf_counter() - t0:.1f} s")

    step(f"Photos: {faces}")
    folder = read_folder(faces, embedder)
    readings = folder["readings"]
    embeddings = {
        person: [r.vector for _, r in pairs if r.vector is not None and r.faces == 1]
        for person, pairs in readings.items()
    }
    photo_names = {
        person: [f"{person}/{p.name}" for p, r in pairs if r.vector is not None and r.faces == 1]
        for person, pairs in readings.items()
    }
    embeddings = {p: v for p, v in embeddings.items() if v}
    genuine, impostor = calibration.pair_distances(embeddings)
    if len(impostor) < 2:
        raise SystemExit("need single-face photos of at least two people")

    step("Accuracy")
    cal = calibration.calibrate(genuine, impostor, model=embedder.name, source=str(faces))
    accuracy_result = accuracy(embeddings, photo_names, genuine, impostor, cal)

    real = np.stack([v for vectors in embeddings.values() for v in vectors])
    model = EmbeddingModel.fit(real, impostor, genuine)

    step(f"Latency photo in → answer ({args.latency_runs} lookups, {os.cpu_count()} cores)")
    latency_result = latency(readings, embedder, cal, model, args.latency_runs, rng)

    search_result, synthetic_fpir = whole_gallery(
        model,
        {"impostor_mean": round(cal.mean, 4), "impostor_std": round(cal.measured_std, 4)},
        cal,
        args.vectors,
        args.queries,
        args.strangers,
        rng,
        which,
    )

    step("False matches by candidate count")
    false_match_result = false_matches(cal, genuine, impostor, synthetic_fpir)

    result = {
        "benchmark": "faceid",
        "embedder": embedder.name,
        "faces": str(faces),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average_at_start": load_at_start,
        "photos": {
            "people": folder["report"],
            "multi": folder["multi"],
            "multi_all_refused_several_faces": all(m["ok"] for m in folder["multi"]),
            "hard": folder["hard"],
        },
        "accuracy": accuracy_result,
        "false_match": false_match_result,
        "latency": latency_result,
        "search": search_result,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
