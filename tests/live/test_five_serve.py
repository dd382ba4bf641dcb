"""``serve`` with all five live vendors configured (each against its stand-in): the fleet page,
``/api/devices`` and ``/metrics`` show every device, a vendor that states no status (Rigetti QCS)
is never marked failed by the status rounds, and no credential shows in any page, metric or log
line, in any encoding (:func:`tests.live.encodings.leaks`)."""

from __future__ import annotations

import base64
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus

from qpumon.sources import SourceOptions
from tests.live.encodings import leaks
from tests.live.ibm_server import CRN, GOOD_KEY
from tests.live.stand_ins import FiveStandIns
from tests.live.test_five_vendors import expected_rows, five
from tests.serve.conftest import running

__all__ = ["five"]


def _source(servers: FiveStandIns, home: Path) -> SourceOptions:
    from qpumon.sources.ibm_live import LiveOptions

    options = LiveOptions(
        token=GOOD_KEY,
        instance=CRN,
        url=servers.ibm.api_url,
        cache_dir=home / ".cache" / "qpumon",
        timeout=5.0,
        retries=1,
        backoff=0.01,
        backoff_cap=0.05,
    )
    return SourceOptions(live=options)


def _forms(secret: str) -> set[str]:
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(secret.encode()).decode(),
        base64.urlsafe_b64encode(secret.encode()).decode(),
    }


def test_serve_shows_every_vendor_and_no_credential(five: FiveStandIns, tmp_path: Path) -> None:
    names = sorted(expected_rows())
    with running(
        names,
        f"sqlite:///{tmp_path / 'h.db'}",
        source=_source(five, tmp_path),
        every=timedelta(minutes=30),
        status_every=timedelta(seconds=0.2),
    ) as server:
        view = server.collector.wait_for(
            lambda v: all(v.devices[n].snapshot is not None for n in names), 60
        )
        assert [n for n in names if view.devices[n].snapshot is None] == []
        processors = len(five.rigetti.seen("isa"))
        end = time.monotonic() + 30
        while len(five.rigetti.seen("isa")) < processors + 4 and time.monotonic() < end:
            time.sleep(0.1)  # two more status rounds of the Rigetti devices, at least
        assert len(five.rigetti.seen("isa")) >= processors + 4
        view = server.collector.wait_for(lambda v: True, 1)
        rigetti = [n for n in names if n.startswith("rigetti:")]
        assert [(n, view.devices[n].error, view.devices[n].errors_total) for n in rigetti] == [
            (n, None, 0) for n in rigetti
        ]
        with server.client() as client:
            fleet, metrics = client.get("/").text, client.get("/metrics").text
            api = client.get("/api/devices")
            pages = [client.get(f"/devices/{n}").text for n in names]
        lines = list(server.lines)
    listed = {d["name"] for d in api.json()} if isinstance(api.json(), list) else None
    if listed is None:
        listed = {d["name"] for d in api.json()["devices"]}
    assert listed == set(names)
    for name in names:
        assert name in fleet
        assert f'device="{name}"' in metrics
    for secret in five.secrets.values():
        for text in (fleet, "\n".join(lines)):
            assert leaks(text, secret) == []
        for text in [metrics, api.text, *pages]:  # large: every plain and encoded form
            assert not any(form in text for form in _forms(secret))
