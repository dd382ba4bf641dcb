"""A local stand-in for Amazon Braket's control plane, as boto3 calls it (REST-JSON, SigV4).

Routes (botocore's service model of ``braket``):

- ``GET /device/{deviceArn}`` (the ARN percent-encoded): ``GetDevice``; the device of
  ``../shared/vendor_fixtures/braket/devices.json`` with ``deviceCapabilities`` the text of its
  capabilities file, as the service sends it (a JSON string inside the JSON answer);
- ``POST /devices``: ``SearchDevices`` (``filters`` on ``deviceArn``, ``deviceName``,
  ``providerName``, ``deviceType``, ``deviceStatus``; ``maxResults`` and ``nextToken`` pages).

Every request must carry a valid AWS Signature Version 4 for the service ``braket``, checked here
by the published algorithm (not botocore's code) against :attr:`keys`: an unknown key is
``UnrecognizedClientException`` (403), a wrong signature ``InvalidSignatureException`` (403). The
region is the one of the signature's credential scope: a device is found in its ARN's region
only (simulators, with no region in their ARN, everywhere), as the real service does.

Faults (:class:`~tests.live.vendor_stand_in.StandIn`) by route ``device`` or ``devices``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from tests.live.vendor_stand_in import Answer, Request, StandIn

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "vendor_fixtures" / "braket"
#: The key pair the stand-in accepts (made up; never a real one).
ACCESS_KEY = "AKIAQPUMONSTANDIN0001"
SECRET_KEY = "qpumon/StandIn+Secret/0123456789abcdefABCDEF"
#: Error name by status, as Braket's answers carry them.
ERRORS = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServiceException",
    503: "ServiceUnavailableException",
}


def read_devices() -> list[dict[str, Any]]:
    """The devices of the fixture, each with its capabilities text under ``capabilities``."""
    devices: list[dict[str, Any]] = json.loads((FIXTURES / "devices.json").read_text())["devices"]
    for device in devices:
        device["capabilities"] = (FIXTURES / device.pop("capabilitiesFile")).read_text()
    return devices


def region_of(arn: str) -> str:
    """The region of a Braket ARN (empty for the regionless simulators)."""
    return arn.split(":")[3]


@dataclass
class BraketStandIn(StandIn):
    """Amazon Braket's ``GetDevice`` and ``SearchDevices`` on 127.0.0.1."""

    devices: list[dict[str, Any]] = field(default_factory=read_devices)
    keys: dict[str, str] = field(default_factory=lambda: {ACCESS_KEY: SECRET_KEY})
    page_size: int = 100

    @property
    def environment(self) -> dict[str, str]:
        """What sends boto3 here with the stand-in's key (and nothing else of the user's)."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_BRAKET": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def route_of(self, request: Request) -> str:
        """``device`` or ``devices``."""
        return "device" if request.path.startswith("/device/") else "devices"

    def error(self, status: int, message: str) -> Answer:
        """Braket's error answer: the error's name in ``x-amzn-ErrorType`` and the body."""
        name = ERRORS.get(status, "InternalServiceException")
        return Answer(status, {"message": message}, {"x-amzn-ErrorType": f"{name}:"})

    def route(self, request: Request) -> Answer:
        """The answer of an authenticated request."""
        refused, region = self._check_signature(request)
        if refused is not None:
            return refused
        if request.route == "device":
            return self._get_device(unquote(request.path.removeprefix("/device/")), region)
        return self._search(json.loads(request.body or b"{}"), region)

    def _in_region(self, device: dict[str, Any], region: str) -> bool:
        return region_of(device["deviceArn"]) in ("", region)

    def _get_device(self, arn: str, region: str) -> Answer:
        for device in self.devices:
            if device["deviceArn"] == arn and self._in_region(device, region):
                answer = {k: v for k, v in device.items() if k != "capabilities"}
                answer["deviceCapabilities"] = device["capabilities"]
                return Answer(200, answer)
        return Answer(
            404,
            {"message": f"Braket device {arn} not found in {region}"},
            {"x-amzn-ErrorType": "ResourceNotFoundException:"},
        )

    def _search(self, body: dict[str, Any], region: str) -> Answer:
        found = [d for d in self.devices if self._in_region(d, region)]
        for f in body.get("filters", []):
            found = [d for d in found if d.get(f["name"]) in f["values"]]
        start = int(body.get("nextToken") or 0)
        size = min(int(body.get("maxResults") or self.page_size), self.page_size)
        page = found[start : start + size]
        keys = ("deviceArn", "deviceName", "providerName", "deviceType", "deviceStatus")
        answer: dict[str, Any] = {"devices": [{k: d[k] for k in keys} for d in page]}
        if start + size < len(found):
            answer["nextToken"] = str(start + size)
        return Answer(200, answer)

    # -- AWS Signature Version 4 -------------------------------------------------------------

    def _check_signature(self, request: Request) -> tuple[Answer | None, str]:
        """(None, region) for a valid signature; else the refusal."""
        scheme, _, fields = request.headers.get("authorization", "").partition(" ")
        parts = dict(p.strip().split("=", 1) for p in fields.split(",") if "=" in p)
        credential = parts.get("Credential", "").split("/")
        if scheme != "AWS4-HMAC-SHA256" or len(credential) != 5:
            return self._refuse("MissingAuthenticationTokenException", "Missing Authentication"), ""
        key, day, region, service, _ = credential
        secret = self.keys.get(key)
        if secret is None or service != "braket":
            return self._refuse(
                "UnrecognizedClientException", "The security token included is invalid."
            ), region
        expected = _signature(request, secret, day, region, parts["SignedHeaders"].split(";"))
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return self._refuse(
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            ), region
        return None, region

    def _refuse(self, name: str, message: str) -> Answer:
        return Answer(403, {"message": message}, {"x-amzn-ErrorType": f"{name}:"})


def _signature(request: Request, secret: str, day: str, region: str, signed: list[str]) -> str:
    """The SigV4 signature of ``request`` (the algorithm AWS publishes: canonical request, string
    to sign, key derived from the secret by date, region, service and ``aws4_request``)."""
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, vs in sorted(request.query.items())
        for v in sorted(vs)
    )
    canonical = "\n".join(
        [
            request.method,
            quote(request.path, safe="/~"),  # non-S3 services: the path encoded twice
            canonical_query,
            "".join(f"{h}:{' '.join(request.headers[h].split())}\n" for h in signed),
            ";".join(signed),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )
    stamp = request.headers["x-amz-date"]
    scope = f"{day}/{region}/braket/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in (day, region, "braket", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
