"""IBM Quantum's REST API through qiskit-ibm-runtime's own layers, with qpumon's fault policy.

The requests go through the client's ``ClientParameters`` (URL resolution and the IBM Cloud IAM
authentication handler), its ``RetrySession`` (headers, error wrapping) and its ``Runtime`` REST
adapter (routes and payloads: ``/backends``, ``/backends/<name>/configuration``,
``/properties?updated_before=...``, ``/status``). qpumon sets the timeouts and replaces the
session's own retries with its policy: retry only 429 and 5xx answers, waiting ``backoff``
seconds doubled each time and capped at ``backoff_cap`` (longer if the answer says
``Retry-After``); never retry a timeout or an unreachable network.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .accounts import IBM_CLOUD_URL, LiveAccount, require_instance
from .faults import describe, http_status, retry_after, retryable
from .options import LiveOptions

T = TypeVar("T")


def resolve_api_url(url: str | None, instance: str, private: bool | None, channel: str) -> str:
    """The API base URL: IBM Cloud URLs as the client resolves them, any other URL as given.

    The client's default resolver maps ``https://cloud.ibm.com`` and a CRN to
    ``https://<region.>quantum.cloud.ibm.com/api/v1``; a URL elsewhere (a proxy, a test server)
    is the API base itself.
    """
    from qiskit_ibm_runtime.api.utils import default_runtime_url_resolver

    base = url or IBM_CLOUD_URL
    host = urlsplit(base).hostname or ""
    if host == "cloud.ibm.com" or host.endswith(".cloud.ibm.com"):
        return str(default_runtime_url_resolver(base, instance, bool(private), channel))
    return base.rstrip("/")


class LiveClient:
    """One signed-in connection to IBM Quantum, safe to share between threads."""

    def __init__(
        self,
        account: LiveAccount,
        options: LiveOptions,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        instance = require_instance(account)  # before the second-long import of the client
        from qiskit_ibm_runtime.api.client_parameters import ClientParameters
        from qiskit_ibm_runtime.api.rest.runtime import Runtime
        from qiskit_ibm_runtime.api.session import RetrySession
        from requests.adapters import HTTPAdapter

        self.account = account
        self.options = options
        self._sleep = sleep
        params = ClientParameters(
            channel=account.channel,
            token=account.token,
            url=account.url or IBM_CLOUD_URL,
            instance=instance,
            verify=account.verify,
            url_resolver=resolve_api_url,
        )
        self.url = params.get_runtime_api_base_url()
        self._auth = params.get_auth_handler()
        self._auth.tm.http_config = {"timeout": options.timeout}
        self.iam_url = f"{self._auth.tm.url}{self._auth.tm.OPERATION_PATH}"
        session = RetrySession(
            self.url,
            auth=self._auth,
            verify=account.verify,
            timeout=(options.timeout, options.timeout),
        )
        adapter = HTTPAdapter(max_retries=0, pool_maxsize=max(10, options.workers))
        session.mount("https://", adapter)  # no retries below ours
        session.mount("http://", adapter)
        self._api = Runtime(session)

    def sign_in(self) -> None:
        """Exchange the API key for an access token now, so a bad key is reported as such."""
        manager = self._auth.tm

        def exchange() -> str:
            # A failed exchange leaves the SDK's pacing mark set, which would make the next
            # attempt wait 60 s for a "request in flight" that has already failed.
            manager.request_time = 0
            return str(manager.get_token())

        self._call("the API key exchange", self.iam_url, exchange)

    def devices(self) -> list[dict[str, Any]]:
        """The devices the instance can use (``/backends``), as the service lists them."""
        answer = self._call("the list of devices", self.url + "/backends", self._api.backends)
        devices = answer.get("devices", []) if isinstance(answer, dict) else []
        return [d for d in devices if isinstance(d, dict) and isinstance(d.get("name"), str)]

    def configuration(self, name: str) -> dict[str, Any]:
        """The configuration of device ``name``."""
        backend = self._api.backend(name)
        return self._call(
            f"the configuration of {name}",
            self._route(name, "configuration"),
            backend.configuration,
        )

    def properties(self, name: str, at: datetime | None = None) -> dict[str, Any]:
        """The calibration of ``name``: the latest, or the newest at or before ``at``."""
        backend = self._api.backend(name)
        return self._call(
            f"the calibration of {name}",
            self._route(name, "properties"),
            lambda: backend.properties(datetime=at),
        )

    def status(self, name: str) -> dict[str, Any]:
        """``operational``, ``status_msg``, ``pending_jobs`` and ``backend_version`` of ``name``."""
        backend = self._api.backend(name)
        return self._call(f"the status of {name}", self._route(name, "status"), backend.status)

    def _route(self, name: str, route: str) -> str:
        return f"{self.url}/backends/{name}/{route}"

    def _call(self, what: str, url: str, request: Callable[[], T]) -> T:
        options = self.options
        attempt = 1
        while True:
            try:
                return request()
            except Exception as exc:  # the client's and requests' errors, translated below
                failure = exc
            if attempt > options.retries or not retryable(http_status(failure)):
                raise describe(
                    failure,
                    what=what,
                    url=url,
                    timeout=options.timeout,
                    token=self.account.token,
                    attempts=attempt,
                ) from None
            wait = min(options.backoff_cap, options.backoff * 2 ** (attempt - 1))
            asked = retry_after(failure)
            self._sleep(max(wait, min(asked, options.backoff_cap)) if asked else wait)
            attempt += 1
