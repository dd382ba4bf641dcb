"""The HTTP side of the IBM stand-in: a threading server on 127.0.0.1 that hands each request
to :meth:`IBMStandIn.answer` and sends the answer, gzip-encoded when the request accepts it,
all at once or trickling."""

from __future__ import annotations

import json
import shutil
import ssl
import tempfile
import time
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.live.ibm_data import gzipped

if TYPE_CHECKING:
    from tests.live.ibm_server import IBMStandIn


def tls_context() -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key, certificate = _self_signed()
    folder = Path(tempfile.mkdtemp(prefix="qpumon-stand-in-"))
    (folder / "key.pem").write_bytes(key)
    (folder / "cert.pem").write_bytes(certificate)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    shutil.rmtree(folder)
    return context


def _self_signed() -> tuple[bytes, bytes]:
    import ipaddress
    from datetime import datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qpumon stand-in")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    private = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private, certificate.public_bytes(pem)


class Server(ThreadingHTTPServer):
    """One thread per connection; :attr:`state` answers the requests."""

    daemon_threads = True
    request_queue_size = 256  # an overview opens dozens of connections at once
    state: IBMStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, Ctrl-C) closes its socket: not the stand-in's error."""


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: each request to :meth:`IBMStandIn.answer`, then its answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed ACK
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests inspect :attr:`IBMStandIn.requests` instead."""

    def do_GET(self) -> None:
        """Answer a GET."""
        self._serve("")

    def do_POST(self) -> None:
        """Answer a POST (its body read in full first)."""
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length).decode("utf-8"))

    def _serve(self, body: str) -> None:
        split = urlsplit(self.path)
        from tests.live.ibm_server import Request

        request = Request(
            self.command,
            split.path,
            parse_qs(split.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
            target=self.path,
        )
        state = self.server.state
        answer = state.answer(request)
        data = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        encoded = "gzip" in request.headers.get("accept-encoding", "")
        if encoded:
            data = gzipped(data)
        request.status, request.sent = answer.status, len(data)
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self._send(data, answer.trickle, state)
        request.answered = time.monotonic()

    def _send(self, data: bytes, trickle: float, state: IBMStandIn) -> None:
        if not trickle:
            self.wfile.write(data)
            return
        for start in range(0, len(data), 1024):
            self.wfile.write(data[start : start + 1024])
            self.wfile.flush()
            state.wait(trickle)
