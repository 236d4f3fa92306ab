"""Field encryption: AES-256-GCM with a data key per workspace, wrapped by the master key.

A sealed value reads `v1.<key version>.<base64url(nonce || ciphertext)>`. The
associated data binds it to its workspace, table, field and row, so a value
copied into another row or field fails to decrypt instead of reading wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction

from amity.core.models import DataKey

PREFIX = "v1"
MASK = "••••"


class DecryptionError(Exception):
    """A sealed value could not be opened: tampered, moved, or its key destroyed."""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def master_key() -> bytes:
    """Return the 32-byte master key derived from the configured secret."""
    secret = settings.AMITY_MASTER_KEY.encode()
    return hashlib.sha256(b"amity-master-key\x00" + secret).digest()


def master_key_id(key: bytes | None = None) -> str:
    return hashlib.sha256(b"id" + (key or master_key())).hexdigest()[:16]


@dataclass(frozen=True)
class _Key:
    version: int
    raw: bytes


_cache: dict[tuple[int, str, int], bytes] = {}
# Which version is current is re-read after CURRENT_TTL seconds, so a long-running
# process starts sealing with a key that `amity keys rotate` added meanwhile.
_current: dict[tuple[int, str], tuple[int, float]] = {}
CURRENT_TTL = 60.0
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _current.clear()


def _wrap_aad(workspace_id: int, purpose: str, version: int) -> bytes:
    return f"amity-dek:{workspace_id}:{purpose}:{version}".encode()


def wrap_key(raw: bytes, workspace_id: int, purpose: str, version: int, key: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, raw, _wrap_aad(workspace_id, purpose, version))
    return _b64e(nonce + sealed)


def unwrap_key(dk: DataKey, key: bytes | None = None) -> bytes:
    if dk.destroyed_at is not None:
        raise DecryptionError("data key destroyed")
    blob = _b64d(dk.wrapped_key)
    try:
        return AESGCM(key or master_key()).decrypt(
            blob[:12], blob[12:], _wrap_aad(dk.workspace_id, dk.purpose, dk.version)
        )
    except InvalidTag as exc:
        raise DecryptionError("data key does not open with this master key") from exc


def create_data_key(workspace_id: int, purpose: str, version: int) -> DataKey:
    raw = os.urandom(32)
    key = master_key()
    return DataKey.objects.create(
        workspace_id=workspace_id,
        purpose=purpose,
        version=version,
        wrapped_key=wrap_key(raw, workspace_id, purpose, version, key),
        master_key_id=master_key_id(key),
    )


def _load(workspace_id: int, purpose: str, version: int | None) -> _Key:
    if version is None:
        known = _current.get((workspace_id, purpose))
        if known and time.monotonic() - known[1] < CURRENT_TTL:
            version = known[0]
    if version is not None and (cached := _cache.get((workspace_id, purpose, version))):
        return _Key(version, cached)
    qs = DataKey.objects.filter(workspace_id=workspace_id, purpose=purpose)
    dk = qs.filter(version=version).first() if version else qs.order_by("-version").first()
    if dk is None:
        if version is not None:
            raise DecryptionError(f"no data key version {version}")
        with transaction.atomic():
            dk = create_data_key(workspace_id, purpose, 1)
    raw = unwrap_key(dk)
    with _lock:
        _cache[(workspace_id, purpose, dk.version)] = raw
        if version is None:
            _current[(workspace_id, purpose)] = (dk.version, time.monotonic())
    return _Key(dk.version, raw)


def current_version(workspace_id: int) -> int:
    _current.pop((workspace_id, DataKey.Purpose.ENCRYPTION), None)
    return _load(workspace_id, DataKey.Purpose.ENCRYPTION, None).version


def _aad(workspace_id: int, table: str, field: str, row_uid: str) -> bytes:
    return f"amity-field:{workspace_id}:{table}:{field}:{row_uid}".encode()


def seal(workspace_id: int, table: str, field: str, row_uid: str, plaintext: str) -> str:
    """Encrypt a value for one field of one row with the workspace's current key."""
    key = _load(workspace_id, DataKey.Purpose.ENCRYPTION, None)
    nonce = os.urandom(12)
    data = AESGCM(key.raw).encrypt(
        nonce, plaintext.encode(), _aad(workspace_id, table, field, row_uid)
    )
    return f"{PREFIX}.{key.version}.{_b64e(nonce + data)}"


def key_version(token: str) -> int:
    return int(token.split(".", 2)[1])


def unseal(workspace_id: int, table: str, field: str, row_uid: str, token: str) -> str:
    """Decrypt a sealed value; raise DecryptionError when it does not belong here."""
    try:
        prefix, version, body = token.split(".", 2)
        if prefix != PREFIX:
            raise ValueError(prefix)
        key = _load(workspace_id, DataKey.Purpose.ENCRYPTION, int(version))
        blob = _b64d(body)
        return (
            AESGCM(key.raw)
            .decrypt(blob[:12], blob[12:], _aad(workspace_id, table, field, row_uid))
            .decode()
        )
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError(f"{table}.{field} does not decrypt for this row") from exc


_SEPARATORS = str.maketrans("", "", " -./\t")


def normalise(value: str) -> str:
    """Return the form used for exact-match search: NFKC, no spaces or dashes, upper case."""
    # ASCII text is its own NFKC form (imports index every national ID this way).
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    return text.translate(_SEPARATORS).upper()


def blind_index(workspace_id: int, field: str, value: str) -> str:
    """Return a keyed hash of the value for exact-match lookup without storing it."""
    key = _load(workspace_id, DataKey.Purpose.BLIND_INDEX, None)
    digest = hmac.new(key.raw, f"{field}\x00{normalise(value)}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class Sealer:
    """Seal many values of one workspace with its keys loaded once (bulk imports)."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        key = _load(workspace_id, DataKey.Purpose.ENCRYPTION, None)
        self._version = key.version
        self._aead = AESGCM(key.raw)
        # The keyed hash with its key already absorbed: copying it spares the key
        # setup of hmac.new for each of an import's values.
        self._index = hmac.new(
            _load(workspace_id, DataKey.Purpose.BLIND_INDEX, None).raw, digestmod=hashlib.sha256
        )

    def seal(self, table: str, field: str, row_uid: str, plaintext: str) -> str:
        nonce = os.urandom(12)
        data = self._aead.encrypt(
            nonce, plaintext.encode(), _aad(self.workspace_id, table, field, row_uid)
        )
        return f"{PREFIX}.{self._version}.{_b64e(nonce + data)}"

    def blind_index(self, field: str, value: str) -> str:
        digest = self._index.copy()
        digest.update(f"{field}\x00{normalise(value)}".encode())
        return digest.hexdigest()[:32]


def mask(value: str, visible: int = 4) -> str:
    """Return `•••• 4821` for a revealed value: enough to recognise, not to use."""
    tail = normalise(value)[-visible:] if len(normalise(value)) > visible + 2 else ""
    return f"{MASK} {tail}".strip()
