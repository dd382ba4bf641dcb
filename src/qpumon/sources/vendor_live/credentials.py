"""Credentials of the HTTP vendors, found where their official clients find them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ...errors import AccountError


@dataclass(frozen=True)
class TokenCredentials:
    """A service URL and the secret that signs its requests (never shown by ``repr``);
    ``origin`` says where the secret was found (``IQM_TOKEN``, a tokens file)."""

    url: str
    token: str = field(repr=False)
    origin: str = ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret, for redaction."""
        return (self.token,)


def env_value(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value, None when unset or blank."""
    value = environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def tokens_file_token(path_text: str, variable: str, how: str) -> str:
    """The ``access_token`` of an IQM tokens file (JSON, as ``iqm-client``'s TokensFileReader
    reads it); an :class:`AccountError` naming the file and ``variable`` otherwise."""
    path = Path(path_text).expanduser()
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise AccountError(
            f"{variable}={path}: cannot read the tokens file ({reason}); {how}"
        ) from None
    except orjson.JSONDecodeError:
        raise AccountError(f"{variable}={path}: the tokens file is not JSON; {how}") from None
    token = document.get("access_token") if isinstance(document, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise AccountError(f"{variable}={path}: the tokens file has no access_token; {how}")
    return token.strip()
