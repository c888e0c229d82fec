"""Every change to face data: consent and enrolment, withdrawal, and the audited lookup.

Photos are read in memory and dropped: only the vector is kept, sealed (`vault`). Face detection and the
descriptor (a tenth of a second each) run before the transaction opens, so no database lock waits on them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

import numpy as np
import structlog
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mekong.accounts.models import User
from mekong.accounts.throttle import FailureLimit, SignInThrottle
from mekong.core.errors import DomainError, FieldError, NotFound, PermissionDenied
from mekong.dossiers.models import Dossier
from mekong.dossiers.selectors import my_dossiers
from mekong.faceid import images, vault
from mekong.faceid.calibrated import current_calibration
from mekong.faceid.embedders.base import DetectedFace, FaceEmbedder
from mekong.faceid.embedders.registry import get_embedder
from mekong.faceid.index import current_gallery
from mekong.faceid.liveness import Direction, LivenessProblem, check_turn
from mekong.faceid.matching import Decision, decide
from mekong.faceid.models import (
    ConsentChannel,
    DuplicateEnrolment,
    FaceConsent,
    FaceEmbedding,
    FaceIndexChange,
    FaceIndexVersion,
    FaceLookupAttempt,
    IndexOperation,
    LookupOutcome,
)

log = structlog.get_logger(__name__)

MAX_EMBEDDINGS_PER_CITIZEN = 5
CHALLENGE_SECONDS = 300
CONSENT_TEXT_VERSION = "2026-11"

PHOTO_PROBLEMS = {
    images.ImageProblem.UNREADABLE: _("Không đọc được ảnh. Hãy dùng ảnh JPEG, PNG hoặc WebP."),
    images.ImageProblem.TOO_LARGE: _("Ảnh quá lớn (tối đa 8 MB). Hãy chụp lại hoặc chọn ảnh nhỏ hơn."),
    images.ImageProblem.NO_FACE: _(
        "Không thấy khuôn mặt nào trong ảnh. Hãy nhìn thẳng vào máy ảnh, ở nơi đủ sáng, rồi chụp lại."
    ),
    images.ImageProblem.SEVERAL_FACES: _(
        "Ảnh có nhiều khuôn mặt. Chỉ để một người trong khung hình rồi chụp lại."
    ),
    images.ImageProblem.TOO_SMALL: _("Khuôn mặt quá nhỏ trong ảnh. Hãy đưa máy ảnh lại gần hơn."),
    images.ImageProblem.TOO_DARK: _("Ảnh quá tối. Hãy chụp ở nơi đủ sáng, không ngược sáng."),
    images.ImageProblem.BLURRED: _("Ảnh bị mờ. Hãy giữ chắc máy và chụp lại."),
}
DIRECTION_LABELS = {Direction.LEFT: _("bên trái"), Direction.RIGHT: _("bên phải")}
LIVENESS_PROBLEMS = {
    LivenessProblem.NOT_FRONTAL: _("Ở ảnh thứ nhất, hãy nhìn thẳng vào máy ảnh."),
    LivenessProblem.NOT_TURNED: _("Ở ảnh thứ hai, hãy quay đầu rõ hơn sang {direction}."),
    LivenessProblem.WRONG_WAY: _("Bạn đã quay đầu sang hướng khác. Hãy quay sang {direction}."),
    LivenessProblem.DIFFERENT_PERSON: _("Hai ảnh không phải của cùng một người."),
}
CITIZENS_ONLY = _("Chỉ tài khoản công dân được đăng ký tra cứu bằng khuôn mặt.")
NOT_FOUND = _(
    "Không tìm thấy hồ sơ khớp với khuôn mặt và thông tin đã nhập. "
    "Bạn có thể tra cứu bằng mã hồ sơ và số điện thoại."
)


def consent_text(keep_days: int | None = None) -> str:
    """What the citizen agrees to: what is kept, why, for how long, and how to withdraw."""
    days = keep_days if keep_days is not None else settings.MEKONG_FACEID_KEEP_DAYS
    return str(
        _(
            "Tôi đồng ý để hệ thống dùng khuôn mặt của tôi để tra cứu hồ sơ thủ tục hành chính của chính tôi. "
            "Hệ thống chỉ lưu đặc trưng khuôn mặt dạng số, đã mã hóa; không lưu ảnh. Dữ liệu được lưu "
            "tối đa {years} năm kể từ hôm nay, hoặc đến khi tôi rút lại sự đồng ý. Tôi có thể rút lại bất "
            "cứ lúc nào tại trang “Tra cứu bằng khuôn mặt” trong tài khoản; khi đó toàn bộ đặc trưng khuôn "
            "mặt của tôi bị xóa ngay. Đây là dữ liệu cá nhân nhạy cảm theo Nghị định 13/2023/NĐ-CP."
        )
    ).format(years=max(1, round(days / 365)))


# --- reading a photo ----------------------------------------------------------------------------------------


def _unusable(problem: images.ImageProblem, field: str) -> DomainError:
    message = PHOTO_PROBLEMS[problem]
    return DomainError(
        message, errors=[FieldError(field, message)], code=f"photo_{problem.value}", status=422
    )


def read_upload(upload: IO[bytes], field: str = "photo") -> bytes:
    """The bytes of an uploaded photo, refusing more than images.MAX_BYTES without reading it all."""
    data = upload.read(images.MAX_BYTES + 1)
    if len(data) > images.MAX_BYTES:
        message = PHOTO_PROBLEMS[images.ImageProblem.TOO_LARGE]
        raise DomainError(message, errors=[FieldError(field, message)], code="photo_too_large", status=413)
    return data


@dataclass(frozen=True)
class ReadFace:
    face: DetectedFace
    vector: np.ndarray


def read_face(embedder: FaceEmbedder, data: bytes, field: str = "photo") -> ReadFace:
    """The one usable face in a photo and its vector, or a DomainError saying what to do about the photo."""
    try:
        image = images.decode(data)
        face = images.the_one_face(image, embedder.detect(image))
    except images.UnusablePhoto as exc:
        raise _unusable(exc.problem, field) from exc
    return ReadFace(face=face, vector=embedder.embed(image, face))


# --- consent and enrolment ----------------------------------------------------------------------------------


def _record_change(operation: IndexOperation, embedding_id: int) -> None:
    """Append to the index log. The version row is locked until commit, so versions become visible in the
    order they were given (see `FaceIndexChange`)."""
    state = FaceIndexVersion.objects.select_for_update().first()
    if state is None:
        state = FaceIndexVersion.objects.create(version=0)
        state = FaceIndexVersion.objects.select_for_update().get(pk=state.pk)
    state.version += 1
    state.save(update_fields=["version"])
    FaceIndexChange.objects.create(version=state.version, operation=operation, embedding_id=embedding_id)


def _factor_keys(citizen: User) -> tuple[str, str]:
    digits = "".join(ch for ch in citizen.phone if ch.isdigit())
    return (
        vault.birth_date_key(citizen.birth_date) if citizen.birth_date else "",
        vault.phone_key(digits[-4:]) if len(digits) >= 4 else "",
    )


def enrol(
    citizen: User,
    *,
    photo: bytes,
    consent_given: bool,
    channel: str = ConsentChannel.PROFILE,
    birth_date: date | None = None,
    at: datetime | None = None,
) -> FaceEmbedding:
    """Record the citizen's consent (once) and one face vector. `birth_date` fills in the citizen's date of
    birth when the account has none (it narrows their lookups)."""
    if not citizen.is_citizen:
        raise PermissionDenied(CITIZENS_ONLY)
    if not consent_given:
        message = _("Cần đánh dấu đồng ý trước khi đăng ký khuôn mặt.")
        raise DomainError(message, errors=[FieldError("consent", message)], code="consent_required")
    if channel not in ConsentChannel.values:
        raise DomainError(_("Nơi đồng ý không hợp lệ."), errors=[FieldError("channel", _("Không hợp lệ."))])
    if birth_date is not None and birth_date > timezone.localdate():
        message = _("Ngày sinh không được sau hôm nay.")
        raise DomainError(message, errors=[FieldError("birth_date", message)])
    embedder = get_embedder()
    read = read_face(embedder, photo)
    at = at or timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=citizen.pk)
        if birth_date is not None and locked.birth_date is None:
            locked.birth_date = birth_date
            locked.save(update_fields=["birth_date"])
        birth_key, phone_key = _factor_keys(locked)
        if not birth_key and not phone_key:
            message = _("Cần ngày sinh hoặc số điện thoại trong tài khoản để tra cứu bằng khuôn mặt.")
            raise DomainError(message, errors=[FieldError("birth_date", message)], code="factor_missing")
        if FaceEmbedding.objects.filter(citizen=locked).count() >= MAX_EMBEDDINGS_PER_CITIZEN:
            raise DomainError(
                _("Đã có đủ {count} ảnh khuôn mặt. Hãy rút lại đồng ý rồi đăng ký lại nếu muốn thay ảnh."),
                code="too_many_faces",
                status=409,
                count=MAX_EMBEDDINGS_PER_CITIZEN,
            )
        consent = FaceConsent.objects.filter(citizen=locked, withdrawn_at__isnull=True).first()
        if consent is None:
            consent = FaceConsent.objects.create(
                citizen=locked,
                channel=channel,
                text=consent_text(),
                text_version=CONSENT_TEXT_VERSION,
                given_at=at,
                keep_until=at + timedelta(days=settings.MEKONG_FACEID_KEEP_DAYS),
            )
        embedding = FaceEmbedding.objects.create(
            citizen=locked,
            consent=consent,
            embedder=embedder.name,
            vector=vault.seal(read.vector),
            birth_date_key=birth_key,
            phone_key=phone_key,
            created_at=at,
        )
        _record_change(IndexOperation.ADD, embedding.pk)
        embedding_id = embedding.pk
        transaction.on_commit(lambda: _after_enrolment(embedding_id))
    log.info("faceid_enrolled", citizen=citizen.pk, embedding=embedding.pk)
    return embedding


def _after_enrolment(embedding_id: int) -> None:
    from mekong.faceid.tasks import check_duplicates_task

    check_duplicates_task.delay(embedding_id)


def withdraw_consent(citizen: User, *, at: datetime | None = None) -> int:
    """Withdraw every consent of the citizen and delete their face vectors at once. Returns how many vectors
    were deleted. Withdrawing with nothing to withdraw is not an error (the result is the same)."""
    at = at or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().get(pk=citizen.pk)  # one withdrawal or enrolment at a time
        ids = list(FaceEmbedding.objects.filter(citizen=citizen).values_list("pk", flat=True))
        FaceEmbedding.objects.filter(pk__in=ids).delete()
        for embedding_id in ids:
            _record_change(IndexOperation.REMOVE, embedding_id)
        FaceConsent.objects.filter(citizen=citizen, withdrawn_at__isnull=True).update(withdrawn_at=at)
    log.info("faceid_consent_withdrawn", citizen=citizen.pk, deleted=len(ids))
    return len(ids)


def purge_expired(*, at: datetime | None = None) -> int:
    """Delete the vectors of consents past their `keep_until`, as if the citizen had withdrawn."""
    at = at or timezone.now()
    deleted = 0
    for citizen_id in (
        FaceConsent.objects.filter(withdrawn_at__isnull=True, keep_until__lte=at)
        .values_list("citizen_id", flat=True)
        .distinct()
    ):
        deleted += withdraw_consent(User.objects.get(pk=citizen_id), at=at)
    return deleted


def check_duplicates(embedding_id: int, *, at: datetime | None = None) -> list[DuplicateEnrolment]:
    """Search the whole gallery for other citizens with this face; record each pair for review."""
    row = FaceEmbedding.objects.filter(pk=embedding_id).first()
    if row is None:
        return []
    embedder = get_embedder(row.embedder)
    gallery = current_gallery(embedder.name, embedder.dimensions)
    calibration = current_calibration()
    # A flag for a person to review, over the whole gallery: tolerate a 1 % chance per enrolment of a
    # false flag, far stricter per pair than a lookup among a few candidates.
    limit = calibration.threshold(max(gallery.identities(), 1), target_fpir=0.01)
    vector = vault.unseal(row.vector)
    found = []
    at = at or timezone.now()
    for neighbour in gallery.nearest_others(vector, row.citizen_id):
        if neighbour.distance > limit:
            continue
        first, second = sorted((row.citizen_id, neighbour.citizen_id))
        pair, created = DuplicateEnrolment.objects.get_or_create(
            first_id=first, second_id=second, defaults={"distance": neighbour.distance, "found_at": at}
        )
        if created:
            log.warning("faceid_duplicate", first=first, second=second, distance=round(neighbour.distance, 3))
            found.append(pair)
    return found


# --- lookup ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    token: str
    direction: Direction
    expires_at: datetime


def new_challenge(at: datetime | None = None, direction: Direction | None = None) -> Challenge:
    """A signed head-turn instruction, valid for a few minutes and usable once. The direction is random
    unless given (tests)."""
    at = at or timezone.now()
    direction = direction or secrets.choice(list(Direction))
    token = signing.dumps(
        {"d": direction.value, "n": secrets.token_urlsafe(12)}, salt="mekong.faceid.challenge"
    )
    return Challenge(token=token, direction=direction, expires_at=at + timedelta(seconds=CHALLENGE_SECONDS))


def _open_challenge(token: str) -> tuple[Direction, str]:
    message = _("Phiên chụp ảnh đã hết hạn hoặc không hợp lệ. Hãy bắt đầu lại.")
    try:
        data = signing.loads(token, salt="mekong.faceid.challenge", max_age=CHALLENGE_SECONDS)
        return Direction(data["d"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise DomainError(message, errors=[FieldError("challenge", message)], code="bad_challenge") from exc


class FactorKind:
    BIRTH_DATE = "birth_date"
    PHONE = "phone_last4"
    ALL = (BIRTH_DATE, PHONE)


def factor_key(kind: str, value: str) -> str:
    """The bucket a typed factor selects: a date of birth (dd/mm/yyyy or yyyy-mm-dd) or 4 digits."""
    value = value.strip()
    if kind == FactorKind.BIRTH_DATE:
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                return vault.birth_date_key(datetime.strptime(value, pattern).date())
            except ValueError:
                continue
        message = _("Ngày sinh không hợp lệ (ví dụ 05/09/1990).")
        raise DomainError(message, errors=[FieldError("factor", message)])
    if kind == FactorKind.PHONE:
        if len(value) == 4 and value.isdigit():
            return vault.phone_key(value)
        message = _("Nhập đúng 4 chữ số cuối của số điện thoại.")
        raise DomainError(message, errors=[FieldError("factor", message)])
    message = _("Chọn ngày sinh hoặc 4 số cuối điện thoại.")
    raise DomainError(message, errors=[FieldError("factor_kind", message)])


class FaceLookupRateLimited(DomainError):
    status = 429
    code = "rate_limited"


@dataclass(frozen=True)
class LookupAnswer:
    citizen: User
    decision: Decision
    dossiers: QuerySet[Dossier]


def _client_hash(client: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{client}".encode()).hexdigest()


def _audit(client: str, kind: str, outcome: str, detail: str = "", **fields: Any) -> None:
    # Its own transaction (autocommit): the audit stays even when the lookup is refused.
    FaceLookupAttempt.objects.create(
        at=timezone.now(), client=_client_hash(client), factor=kind, outcome=outcome, detail=detail, **fields
    )


def _allowed(client: str) -> bool:
    limit = FailureLimit(
        attempts=settings.MEKONG_FACEID_LOOKUP_LIMIT,
        window_seconds=settings.MEKONG_FACEID_LOOKUP_WINDOW_SECONDS,
    )
    return SignInThrottle.for_address(client, "*", scope="faceid-lookup", limit=limit).allow_attempt()


def identify(
    *, client: str, challenge: str, factor_kind: str, factor: str, frontal: bytes, turned: bytes
) -> LookupAnswer:
    """Find the citizen whose face is in `frontal` (and, turned as the challenge asked, in `turned`) among
    those sharing the factor, and their dossiers. Every attempt is audited; refusals raise DomainError."""
    if not _allowed(client):
        _audit(client, factor_kind, LookupOutcome.RATE_LIMITED)
        raise FaceLookupRateLimited(
            _("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau {minutes} phút."),
            minutes=max(1, settings.MEKONG_FACEID_LOOKUP_WINDOW_SECONDS // 60),
        )
    direction, nonce = _open_challenge(challenge)
    key = factor_key(factor_kind, factor)
    if not cache.add(f"mekong:faceid:challenge:{nonce}", 1, timeout=CHALLENGE_SECONDS):
        message = _("Phiên chụp ảnh này đã được dùng. Hãy bắt đầu lại.")
        raise DomainError(message, errors=[FieldError("challenge", message)], code="challenge_used")
    embedder = get_embedder()
    calibration = current_calibration()
    try:
        first = read_face(embedder, frontal, "frontal")
        second = read_face(embedder, turned, "turned")
    except DomainError as refusal:
        _audit(client, factor_kind, LookupOutcome.UNUSABLE_PHOTO, refusal.code)
        raise
    turn = check_turn(
        first.face.landmarks,
        second.face.landmarks,
        direction,
        same_person_distance=float(np.linalg.norm(first.vector - second.vector)),
        max_same_person_distance=calibration.max_threshold,
    )
    if turn.problem is not None:
        _audit(client, factor_kind, LookupOutcome.LIVENESS_FAILED, turn.problem.value)
        message = LIVENESS_PROBLEMS[turn.problem]
        raise DomainError(
            message,
            errors=[FieldError("turned", message, params={"direction": DIRECTION_LABELS[direction]})],
            code=f"liveness_{turn.problem.value}",
            status=422,
            direction=DIRECTION_LABELS[direction],
        )
    gallery = current_gallery(embedder.name, embedder.dimensions)
    owners, vectors = gallery.bucket(key)
    decision = decide(first.vector, owners, vectors, calibration)
    fields: dict[str, Any] = {
        "candidates": decision.candidates,
        "best_distance": decision.best_distance,
        "threshold": decision.threshold,
    }
    citizen = (
        User.objects.filter(pk=decision.identity, is_active=True).first()
        if decision.identity is not None
        else None
    )
    if citizen is None:
        _audit(client, factor_kind, LookupOutcome.NOT_FOUND, decision.reason.value, **fields)
        raise NotFound(NOT_FOUND)
    _audit(client, factor_kind, LookupOutcome.FOUND, decision.reason.value, matched=citizen, **fields)
    log.info(
        "faceid_lookup_found", candidates=decision.candidates, distance=round(decision.best_distance or 0, 3)
    )
    return LookupAnswer(citizen=citizen, decision=decision, dossiers=my_dossiers(citizen))
