"""All five live stand-ins at once (IBM Quantum, IQM Resonance, IonQ, Amazon Braket, Rigetti
QCS) on 127.0.0.1, and the environment that points qpumon (and each official client) at them.

    python -m tests.live.stand_ins [--latency SECONDS] [--folder DIR]

(or ``scripts/live-stand-ins``) starts them, prints ``export`` lines to paste into another shell
and serves until Ctrl-C; then ``qpumon overview --live`` lists the devices of all five. The
Rigetti settings and secrets files are written under ``--folder`` (default: a temporary one).
"""

from __future__ import annotations

import argparse
import shlex
import signal
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.live.braket_server import BraketStandIn
from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn
from tests.live.rigetti_server import RigettiStandIn
from tests.live.vendor_servers import IonQStandIn, IQMStandIn

#: The bundled IBM devices the IBM stand-in serves (as ibm_<stem>, queues 0, 1, 2).
IBM_STEMS = ("fez", "kingston", "kyiv")
#: Variables of the user's own accounts that would send qpumon elsewhere: left out.
FOREIGN_PREFIXES = ("QISKIT_IBM", "IQM_", "IONQ_", "AWS_", "QCS_", "QISKIT_IONQ")


@dataclass
class FiveStandIns:
    """The five running stand-ins and the variables that reach all of them."""

    ibm: IBMStandIn
    iqm: IQMStandIn
    ionq: IonQStandIn
    braket: BraketStandIn
    rigetti: RigettiStandIn
    environment: dict[str, str]

    @property
    def secrets(self) -> dict[str, str]:
        """Every credential the environment carries, by variable (what no output may show)."""
        from tests.live.braket_server import SECRET_KEY
        from tests.live.rigetti_server import ACCESS_TOKEN, REFRESH_TOKEN

        return {
            "QISKIT_IBM_TOKEN": GOOD_KEY,
            "IQM_TOKEN": self.iqm.token,
            "IONQ_API_KEY": self.ionq.token,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "QCS access token": ACCESS_TOKEN,
            "QCS refresh token": REFRESH_TOKEN,
        }


@contextmanager
def five_stand_ins(folder: Path, latency: float = 0.0) -> Iterator[FiveStandIns]:
    """Run the five stand-ins (``latency`` seconds added to every answer) until the block ends;
    the Rigetti files are written in ``folder``."""
    ibm = IBMStandIn.with_devices(IBM_STEMS, latency=latency)
    iqm, ionq = IQMStandIn(latency=latency), IonQStandIn(latency=latency)
    braket, rigetti = BraketStandIn(latency=latency), RigettiStandIn(latency=latency)
    with ExitStack() as stack:
        for server in (ibm, iqm, ionq, braket, rigetti):
            stack.enter_context(server.running())
        environment = {
            **ibm.environment,
            "QISKIT_IBM_TOKEN": GOOD_KEY,
            "QISKIT_IBM_INSTANCE": CRN,
            "QISKIT_IBM_URL": ibm.api_url,
            **iqm.environment,
            **ionq.environment,
            **braket.environment,
            **rigetti.write_files(folder / "qcs"),
        }
        yield FiveStandIns(ibm, iqm, ionq, braket, rigetti, environment)


def exports(environment: dict[str, str]) -> str:
    """``export`` lines for a POSIX shell."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in environment.items())


def main() -> None:
    """Start the five stand-ins, print the environment, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per answer")
    parser.add_argument("--folder", type=Path, help="where the Rigetti QCS files go")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = args.folder or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        five = stack.enter_context(five_stand_ins(folder, args.latency))
        print("# Five stand-ins on 127.0.0.1; paste into another shell (made-up credentials):")
        print("unset " + " ".join(_foreign_names()))
        print(exports(five.environment), flush=True)
        print("# then: qpumon overview --live   (Ctrl-C here stops the stand-ins)", flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()


def _foreign_names() -> list[str]:
    """The variables of :data:`FOREIGN_PREFIXES` set in this environment plus the usual ones."""
    import os

    usual = ["QISKIT_IBM_CHANNEL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "QCS_PROFILE_NAME"]
    found = [v for v in os.environ if v.startswith(FOREIGN_PREFIXES)]
    return sorted(set(usual + found))


if __name__ == "__main__":
    main()
