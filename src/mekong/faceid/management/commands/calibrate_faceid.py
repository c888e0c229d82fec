"""`mekong calibrate_faceid [FACES_DIR]`: measure the face model on labelled photos and write the calibration
the lookup uses (faceid/data/calibration.json by default).

FACES_DIR holds `people/<person>/<photo>`; every photo with exactly one face counts. The command prints
what it measured and what it cannot show."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mekong.faceid import images
from mekong.faceid.calibrated import DEFAULT_PATH
from mekong.faceid.calibration import calibrate, pair_distances, rates
from mekong.faceid.embedders.registry import get_embedder

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


class Command(BaseCommand):
    help = "Đo mô hình khuôn mặt trên ảnh có nhãn và ghi ngưỡng tra cứu (faceid/data/calibration.json)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "faces", nargs="?", default=str(Path(settings.BASE_DIR).parent / "shared" / "faces")
        )
        parser.add_argument("--out", default=str(DEFAULT_PATH))
        parser.add_argument("--embedder", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        people = Path(options["faces"]) / "people"
        if not people.is_dir():
            raise CommandError(f"Không có thư mục {people} (cần people/<người>/<ảnh>).")
        embedder = get_embedder(options["embedder"])
        vectors: dict[str, list[Any]] = {}
        for photo in sorted(p for p in people.glob("*/*") if p.suffix.lower() in PHOTO_SUFFIXES):
            image = images.decode(photo.read_bytes())
            faces = embedder.detect(image)
            if len(faces) != 1:
                self.stdout.write(f"  bỏ qua {photo.relative_to(people)}: {len(faces)} khuôn mặt")
                continue
            vectors.setdefault(photo.parent.name, []).append(embedder.embed(image, faces[0]))
        genuine, impostor = pair_distances(vectors)
        photos = sum(len(v) for v in vectors.values())
        calibration = calibrate(
            genuine,
            impostor,
            model=embedder.name,
            source=f"{photos} ảnh của {len(vectors)} người ({people.parent.name}), {date.today().isoformat()}",
        )
        Path(options["out"]).write_text(
            json.dumps(calibration.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for note in calibration.notes:
            self.stdout.write(note)
        for candidates in (10, 100, 1000):
            threshold = calibration.threshold(candidates)
            measured = rates(genuine, impostor, threshold)
            self.stdout.write(
                f"{candidates} người cùng yếu tố: ngưỡng {threshold:.3f}, "
                f"TAR đo được {measured['tar']:.2f}, FAR đo được {measured['far']:.3f}"
            )
        self.stdout.write(
            f"{len(genuine)} cặp cùng người, {len(impostor)} cặp khác người: đủ để kiểm tra chức năng, "
            "quá ít để khẳng định tỉ lệ nhận nhầm cỡ 1/10.000. Đã ghi " + options["out"]
        )
