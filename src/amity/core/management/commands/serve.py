"""`amity serve`: run Amity with gunicorn, static files from WhiteNoise, optionally over TLS."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

# Request path without the query string: searches and filters stay out of the log.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
REEXEC_FLAG = "AMITY_SERVE_REEXEC"


def _default_port() -> int:
    return int(os.environ.get("PORT") or 8000)


class Command(BaseCommand):
    help = "Run the production web server (gunicorn + WhiteNoise) on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("AMITY_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=_default_port(), help="default: $PORT or 8000"
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("AMITY_WORKERS") or 2)
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument("--tls-cert", metavar="FILE", help="PEM certificate (chain)")
        parser.add_argument("--tls-key", metavar="FILE", help="PEM private key")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="skip collecting static files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cert, key = options["tls_cert"], options["tls_key"]
        if bool(cert) != bool(key):
            raise CommandError("Give both --tls-cert and --tls-key, or neither.")
        for path in (cert, key):
            if path and not os.path.isfile(path):
                raise CommandError(f"No such file: {path}")
        tls = bool(cert)
        # Settings are read once at start-up: when they do not match what serving
        # needs (DEBUG off; secure cookies and HSTS under TLS), start over with
        # the environment set, so every worker sees the same settings.
        if settings.DEBUG or (tls and not settings.AMITY_TLS):
            self._reexec(options, tls)
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()
        host, port = options["host"], options["port"]
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else bind.rsplit(":", 1)[0]  # noqa: S104
        url = f"{'https' if tls else 'http'}://{shown}:{port}"
        allowed = settings.ALLOWED_HOSTS
        if shown.strip("[]") not in allowed and "*" not in allowed:
            self.stderr.write(
                f"Note: {shown} is not in AMITY_ALLOWED_HOSTS ({','.join(allowed)}); "
                "requests by that name will get 400."
            )
        config: dict[str, Any] = {
            "bind": [bind],
            "workers": max(1, options["workers"]),
            "worker_class": "gthread",
            "threads": max(1, options["threads"]),
            "proc_name": "amity",
            "timeout": 60,
            "graceful_timeout": 20,
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "errorlog": "-",
            "control_socket_disable": True,
        }
        if tls:
            config.update(certfile=cert, keyfile=key)
        self.stdout.write(f"Amity is running at {url}  (Ctrl+C to stop)")
        self.stdout.flush()
        AmityServer(config).run()

    def _reexec(self, options: dict[str, Any], tls: bool) -> None:
        if os.environ.get(REEXEC_FLAG):
            raise CommandError("Could not turn DEBUG off / TLS on for serving; check settings.")
        env = {**os.environ, REEXEC_FLAG: "1", "AMITY_DEBUG": "0"}
        if tls:
            env["AMITY_TLS"] = "1"
        argv = [
            sys.executable,
            "-m",
            "amity.cli",
            "serve",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
        ]
        if tls:
            argv += ["--tls-cert", options["tls_cert"], "--tls-key", options["tls_key"]]
        if options["no_collectstatic"]:
            argv.append("--no-collectstatic")
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, argv, env)  # noqa: S606 - same interpreter, our own args


class AmityServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn configured from a dict instead of its command line."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.config.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        from amity.wsgi import application

        return application
