"""`amity serve` and `amity worker` as real processes against an on-disk SQLite database."""

from __future__ import annotations

import datetime
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import SmtpServer

AMITY = [sys.executable, "-m", "amity.cli"]
# The processes use their own SQLite database, so the PostgreSQL pass would repeat them as is.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass (the processes get their own SQLite database)",
)


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Return the environment of a fresh, migrated Amity in its own var/ directory."""
    var = tmp_path_factory.mktemp("var")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMITY_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(AMITY_VAR_DIR=str(var), AMITY_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    subprocess.run([*AMITY, "migrate", "-v0"], env=env, check=True, timeout=120)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_the_worker_delivers_queued_and_orphaned_messages_and_stops_on_sigterm(
    instance: dict[str, str], smtp_server: SmtpServer
) -> None:
    env = {**instance, "AMITY_SMTP_PORT": str(smtp_server.port)}
    script = (
        "from django.db import transaction\n"
        "from amity.core import outbox\n"
        "from amity.core.models import OutboxMessage\n"
        "with transaction.atomic():\n"
        "    outbox.queue_email(to=['a@example.test'], subject='Queued', body='x')\n"
        "OutboxMessage.objects.create(payload={'to': ['b@example.test'], "
        "'subject': 'Orphan', 'body': 'x'})\n"
    )
    subprocess.run([*AMITY, "shell", "-c", script], env=env, check=True, timeout=60)

    worker = subprocess.Popen(
        [*AMITY, "worker", "--outbox-interval", "0.5", "--no-startup-delay"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: len(smtp_server.messages) >= 2, 30, "two emails")
    finally:
        code = _stop(worker)
    output = worker.stdout.read().decode() if worker.stdout else ""
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Orphan", "Queued"]
    assert code == 0, output
    assert "shutting down gracefully" in output


def _get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url)  # noqa: S310 - a local test server
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _serve(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    process = subprocess.Popen(
        [*AMITY, "serve", "--port", str(port), "--workers", "1", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return process, port


def _up(url: str, context: ssl.SSLContext | None = None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return _get(url, context)[0] == 200
        except OSError:
            return False

    return check


def test_serve_runs_gunicorn_without_debug_and_stops_on_sigterm(
    instance: dict[str, str],
) -> None:
    # Even with DEBUG asked for in the environment, serving turns it off.
    process, port = _serve({**instance, "AMITY_DEBUG": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(_up(f"{base}/login/"), 120, "the login page")
        status, headers, page = _get(f"{base}/login/")
        css = page.split('href="/static/web/amity.', 1)[1].split('"', 1)[0]
        missing = _get(f"{base}/no-such-page/")
        static = _get(f"{base}/static/web/amity.{css}")
    finally:
        code = _stop(process)
    output = process.stdout.read().decode() if process.stdout else ""
    assert code == 0, output
    assert f"Amity is running at {base}" in output
    assert "Starting gunicorn" in output and "Shutting down" in output
    assert status == 200 and "Strict-Transport-Security" not in headers
    # Hashed file names come from the manifest storage, which is used only with DEBUG off.
    assert css.count(".") == 1 and css.endswith(".css"), css
    assert static[0] == 200
    assert missing[0] == 404 and "Traceback" not in missing[2] and "URLconf" not in missing[2]


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_serve_with_tls_turns_on_hsts_and_secure_cookies(
    instance: dict[str, str], tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path)
    process, port = _serve(
        instance, "--tls-cert", str(cert), "--tls-key", str(key), "--no-collectstatic"
    )
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False
    base = f"https://127.0.0.1:{port}"
    try:
        _wait_for(_up(f"{base}/login/", context), 60, "the login page over TLS")
        status, headers, _ = _get(f"{base}/login/", context)
    finally:
        code = _stop(process)
    assert code == 0
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "__Host-amity_csrf=" in headers["Set-Cookie"]
    assert "Secure" in headers["Set-Cookie"]
