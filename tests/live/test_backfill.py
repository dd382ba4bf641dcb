"""`qpumon backfill` walks IBM's historical calibrations against the stand-in."""

from __future__ import annotations

import asyncio
import gc
import threading
from pathlib import Path
from typing import Any

from qpumon.errors import AccountError, QpumonError
from qpumon.sources.ibm_live import connect
from qpumon.sources.ibm_live.instances import Instance
from qpumon.sources.ibm_live.source import _SharedRequests
from qpumon.store.db import Store
from qpumon.util.gc_pause import paused_gc
from tests.conftest import raw
from tests.live.conftest import live_options, run_cli
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn


def test_backfill_fetches_each_step_and_stores_each_calibration_once(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    env = {
        "QISKIT_IBM_TOKEN": GOOD_KEY,
        "QISKIT_IBM_INSTANCE": CRN,
        "QISKIT_IBM_URL": stand_in.api_url,
    }
    url = f"sqlite:///{tmp_path / 'history.db'}"
    result = run_cli("backfill", "ibm_fez", "--since", "3d", "--every", "1d", "--db", url, env=env)
    assert result.returncode == 0, result.stderr
    assert GOOD_KEY not in result.stdout + result.stderr
    asked = [r.query.get("updated_before") for r in stand_in.seen("properties", "ibm_fez")]
    assert len(asked) >= 3 and all(asked)  # one historical request per step
    with Store(url) as store:
        infos = store.snapshots("ibm_fez", None, None)
        assert len(infos) == 1  # every step answered with the same calibration: stored once
        snapshot = store.load(infos[0].id)
    props = raw("fez", "props")
    t1 = [next(e["value"] for e in q if e["name"] == "T1") for q in props["qubits"]]
    assert [q.t1_us for q in snapshot.qubits] == t1
    assert snapshot.name == "ibm_fez"


def test_backfill_signs_in_once_and_asks_the_configuration_once(
    stand_in: IBMStandIn, home: Path, tmp_path: Path
) -> None:
    """The concurrent fetches share one sign-in and one configuration request (they raced: 16
    API-key exchanges and 16 configurations for one backfill)."""
    stand_in.latency = 0.05  # every fetch starts before the first sign-in is answered
    env = {
        "QISKIT_IBM_TOKEN": GOOD_KEY,
        "QISKIT_IBM_INSTANCE": CRN,
        "QISKIT_IBM_URL": stand_in.api_url,
    }
    url = f"sqlite:///{tmp_path / 'history.db'}"
    result = run_cli("backfill", "ibm_fez", "--since", "20d", "--db", url, env=env)
    assert result.returncode == 0, result.stderr
    assert len(stand_in.seen("properties", "ibm_fez")) == 21
    assert len(stand_in.seen("iam")) == 1
    assert len(stand_in.seen("configuration", "ibm_fez")) == 1


def test_a_rejected_key_is_asked_once_by_threads_that_connect_at_once(
    stand_in: IBMStandIn, home: Path
) -> None:
    """Threads connecting at once wait for one sign-in and share its error."""
    stand_in.latency = 0.05
    options = live_options(stand_in, home, token="qpumon-test-rejected-key-0123456789")
    errors: list[BaseException] = []

    def connect_one() -> None:
        try:
            connect(options)
        except QpumonError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=connect_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 8 and all(isinstance(e, AccountError) for e in errors)
    assert len(stand_in.seen("iam")) == 1


def test_the_collector_stays_paused_while_any_thread_is_in_a_pause() -> None:
    """Pauses overlap across threads (a backfill's fetches): the collector comes back with the
    last one to end, not the first."""
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with paused_gc():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with paused_gc():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [False]
    assert gc.isenabled()


def test_a_shared_configuration_request_is_cancelled_when_its_last_holder_lets_go() -> None:
    """Fetches of one device share the configuration request in flight; it runs while any of
    them may wait for it (Ctrl-C on one fetch leaves the others theirs) and no longer."""
    instance = Instance(CRN, "https://quantum.example/api/v1")

    async def scenario() -> tuple[bool, bool, bool, int]:
        asked = 0
        never = asyncio.Event()

        async def ask(_: Instance, __: str) -> dict[str, Any]:
            nonlocal asked
            asked += 1
            await never.wait()
            return {}

        shared = _SharedRequests()
        first = shared.hold(instance, "ibm_fez", ask)
        second = shared.hold(instance, "ibm_fez", ask)
        await asyncio.sleep(0)
        shared.let_go(first)
        await asyncio.sleep(0)
        running_while_held = not second.done()
        shared.let_go(second)
        await asyncio.sleep(0)
        return first is second, running_while_held, second.cancelled(), asked

    assert asyncio.run(scenario()) == (True, True, True, 1)
