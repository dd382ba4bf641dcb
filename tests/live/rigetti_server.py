"""A local stand-in for Rigetti QCS's REST API and its authorization server, on 127.0.0.1.

- ``GET /v1/quantumProcessors`` (``pageSize``, ``pageToken``): the processors of
  ``../shared/vendor_fixtures/rigetti/quantum_processors.json``;
- ``GET /v1/quantumProcessors/{id}``: one processor;
- ``GET /v1/quantumProcessors/{id}/instructionSetArchitecture``: its ISA file, byte for byte;
- ``POST /oauth2/test/v1/token``: the OAuth 2 refresh grant (``grant_type=refresh_token``,
  ``client_id``, ``refresh_token``) giving a new access token.

API routes need ``Authorization: Bearer <token>`` with a token in :attr:`tokens` (401
otherwise, QCS's ``{"code", "message"}`` body). :meth:`expire` makes the current tokens stale so
a client must refresh. Faults (:class:`~tests.live.vendor_stand_in.StandIn`) by route
``processors``, ``processor``, ``isa`` or ``token``.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from tests.live.vendor_stand_in import Answer, Request, StandIn

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "vendor_fixtures" / "rigetti"


def _jwt(subject: str, expires: int) -> str:
    """An unsigned JWT (the clients read its ``exp`` to know when to refresh)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': subject, 'exp': expires})}.c2ln"


#: An access token valid until 2100 (a JWT: the official client refreshes one it cannot date).
ACCESS_TOKEN = _jwt("qpumon-test-QCS-access", 4102444800)
REFRESH_TOKEN = "qpumon-test-QCS-refresh-fedcba9876543210"
CLIENT_ID = "qpumon-test-client"
ISSUER_PATH = "/oauth2/test"


def read_processors() -> dict[str, bytes]:
    """Processor id -> its ISA as the file's bytes."""
    listed = json.loads((FIXTURES / "quantum_processors.json").read_text())["quantumProcessors"]
    return {p["id"]: (FIXTURES / f"{p['id']}.isa.json").read_bytes() for p in listed}


@dataclass
class RigettiStandIn(StandIn):
    """QCS's processor routes and a token endpoint."""

    processors: dict[str, bytes] = field(default_factory=read_processors)
    tokens: set[str] = field(default_factory=lambda: {ACCESS_TOKEN})
    refresh_tokens: set[str] = field(default_factory=lambda: {REFRESH_TOKEN})
    page_size: int = 100

    def expire(self) -> None:
        """Every access token given so far is refused from now on."""
        self.tokens.clear()

    def settings_toml(self) -> str:
        """A settings file with one profile pointing at the stand-in."""
        return (
            'default_profile_name = "standin"\n\n'
            "[profiles.standin]\n"
            f'api_url = "{self.url}"\n'
            'auth_server_name = "standin"\n'
            'credentials_name = "standin"\n\n'
            "[auth_servers.standin]\n"
            f'client_id = "{CLIENT_ID}"\n'
            f'issuer = "{self.url}{ISSUER_PATH}"\n'
        )

    @staticmethod
    def secrets_toml(access: str = ACCESS_TOKEN, refresh: str | None = REFRESH_TOKEN) -> str:
        """A secrets file with the ``standin`` credentials."""
        lines = ["[credentials.standin.token_payload]", f'access_token = "{access}"']
        if refresh is not None:
            lines.append(f'refresh_token = "{refresh}"')
        return "\n".join([*lines, 'token_type = "Bearer"', ""])

    def write_files(self, folder: Path, **secrets: Any) -> dict[str, str]:
        """Write both files in ``folder``; the variables that name them."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "settings.toml").write_text(self.settings_toml())
        (folder / "secrets.toml").write_text(self.secrets_toml(**secrets))
        return {
            "QCS_SETTINGS_FILE_PATH": str(folder / "settings.toml"),
            "QCS_SECRETS_FILE_PATH": str(folder / "secrets.toml"),
        }

    def route_of(self, request: Request) -> str:
        """``processors``, ``processor``, ``isa`` or ``token``."""
        if request.path.startswith(ISSUER_PATH):
            return "token"
        if request.path.endswith("/instructionSetArchitecture"):
            return "isa"
        return "processor" if request.path.count("/") > 2 else "processors"

    def error(self, status: int, message: str) -> Answer:
        """QCS's error body."""
        return Answer(status, {"code": str(status), "message": message})

    def route(self, request: Request) -> Answer:
        """The answer of an authorised request."""
        if request.route == "token":
            return self._token(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            return Answer(401, {"code": "unauthorized", "message": "Invalid or expired token."})
        parts = [unquote(p) for p in request.path.split("/") if p]
        if request.route == "processors":
            return self._list(request)
        processor = parts[2]
        if processor not in self.processors:
            return Answer(404, {"code": "not_found", "message": f"{processor} not found"})
        if request.route == "isa":
            return Answer(200, self.processors[processor])
        return Answer(200, {"id": processor})

    def _list(self, request: Request) -> Answer:
        ids = list(self.processors)
        start = int(request.query.get("pageToken", ["0"])[0] or 0)
        size = min(int(request.query.get("pageSize", [str(self.page_size)])[0]), self.page_size)
        answer: dict[str, Any] = {
            "quantumProcessors": [{"id": p} for p in ids[start : start + size]]
        }
        answer["nextPageToken"] = str(start + size) if start + size < len(ids) else ""
        return Answer(200, answer)

    def _token(self, request: Request) -> Answer:
        form = parse_qs(request.body.decode())
        if (
            form.get("grant_type") != ["refresh_token"]
            or form.get("client_id") != [CLIENT_ID]
            or form.get("refresh_token", [""])[0] not in self.refresh_tokens
        ):
            return Answer(400, {"error": "invalid_grant"})
        token = _jwt(f"qpumon-test-QCS-{secrets.token_hex(8)}", 4102444800)
        self.tokens.add(token)
        return Answer(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "offline_access",
            },
        )
