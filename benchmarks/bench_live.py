"""Live IBM Quantum against the local stand-in: qpumon beside the official client and the floors.

    python benchmarks/bench_live.py [--runs N] [--latency SECONDS]

The IBM stand-in (tests/live/ibm_server.py) serves the 20 largest bundled devices on 127.0.0.1.
Every figure is the median of N runs (default 5) after a warm-up, measured in this run:

- ``qpumon overview --live --refresh`` with ``--latency`` (default 0.1 s) added to every answer
  (IAM, Global Search and the Catalog included), whole process; beside it the official client's
  public route doing the same job (``QiskitRuntimeService``, ``backends()``, then ``status()`` and
  ``properties()`` of every device on a pool of 16 threads), and the floor: a bare httpx script
  making the same three rounds of requests (sign-in, device list, the 60 device requests at once)
  without reading the answers. In one process, after the imports: a refresh (device list and
  devices) against the same two rounds made with bare httpx.
- ``qpumon monitor ibm_fez`` with no added latency, whole process: time and peak RSS, beside the
  floors ``python -c pass`` and ``qpumon --version`` (the CLI's start-up).
- The bytes of fez's calibration on the wire (gzip) against its JSON size.

Targets (issue 10): overview <= 0.8 s and >= 5x faster than the official client; monitor
<= 0.25 s and <= 50 MiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.ibm_server import CRN, GOOD_KEY, IBMStandIn  # noqa: E402

PYTHON = sys.executable
STEMS = (
    "aachen", "berlin", "boston", "brisbane", "brussels", "cusco", "fez", "kawasaki", "kingston",
    "kyiv", "kyoto", "marrakesh", "miami", "nighthawk", "osaka", "pittsburgh", "quebec",
    "sherbrooke", "strasbourg", "torino",
)  # fmt: skip
OVERVIEW_TARGET, SPEEDUP_TARGET = 0.8, 5.0
MONITOR_TARGET, MEMORY_TARGET = 0.25, 50.0

OFFICIAL = """
import os
from concurrent.futures import ThreadPoolExecutor
from qiskit_ibm_runtime import QiskitRuntimeService
service = QiskitRuntimeService(channel="ibm_quantum_platform", token=os.environ["QISKIT_IBM_TOKEN"],
    url=os.environ["QISKIT_IBM_URL"], instance=os.environ["QISKIT_IBM_INSTANCE"],
    url_resolver=lambda url, *rest: url)
backends = service.backends()
with ThreadPoolExecutor(16) as pool:
    done = list(pool.map(lambda b: (b.status(), b.properties()), backends))
assert len(done) == 20
"""

#: Bare httpx: the requests qpumon makes, spread over 8 clients as qpumon spreads HTTP/1.1
#: requests, without reading what comes back. The script signs in, then times ``rounds``: the
#: device list and the 60 device requests at once.
BARE = """
import asyncio, itertools, os, sys, time, httpx
api, crn = os.environ["QISKIT_IBM_URL"], os.environ["QISKIT_IBM_INSTANCE"]
async def rounds(clients, token):
    headers = {"Authorization": f"Bearer {token}", "Service-CRN": crn,
               "IBM-API-Version": "2026-04-15"}
    listing = await clients[0].get(f"{api}/backends", headers=headers)
    names = [d["name"] for d in listing.json()["devices"]]
    urls = [f"{api}/backends/{n}/{r}" for n in names for r in ("properties", "status",
            "configuration")]
    turn = itertools.cycle(clients)
    answers = await asyncio.gather(*(next(turn).get(u, headers=headers) for u in urls))
    assert all(a.status_code == 200 for a in answers)
async def main(runs):
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    clients = [httpx.AsyncClient(limits=limits, verify=False, headers={"Accept-Encoding": "gzip"})
               for _ in range(8)]
    token = (await clients[0].post(os.environ["IAM_URL"] + "/identity/token", data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey",
        "apikey": os.environ["QISKIT_IBM_TOKEN"]})).json()["access_token"]
    await rounds(clients, token)
    for _ in range(runs):
        start = time.perf_counter()
        await rounds(clients, token)
        print(time.perf_counter() - start)
asyncio.run(main(int(sys.argv[1])))
"""

INSIDE = """
import sys, time
from qpumon.sources.ibm_live import LiveOptions, connect
source = connect(LiveOptions(refresh=True))
source.fetch(source.names())
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    results = source.fetch(source.names())
    print(time.perf_counter() - start)
assert all(r.snapshot is not None for r in results)
"""


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``args`` to completion: (wall seconds, CPU seconds, peak RSS in MiB); fail loudly if
    it fails. The CPU time is what the machine's load leaves least changed."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args[:5])} ... failed:\n{errors.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def interleaved(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds of each command (and ``<name>_cpu``, ``<name>_mib``: its CPU seconds and
    peak RSS): one warm-up each, then ``runs`` rounds that run every command once, so that all
    face the same machine load."""
    for args in commands.values():
        run(args, env)
    done: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            done[name].append(run(args, env))
    figures: dict[str, float] = {}
    for name, rows in done.items():
        for suffix, column in (("", 0), ("_cpu", 1), ("_mib", 2)):
            figures[name + suffix] = statistics.median(row[column] for row in rows)
    return figures


def printed_median(args: list[str], env: dict[str, str], runs: int) -> float:
    """The median of the per-run seconds a script prints, one per line."""
    output = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    return statistics.median(float(line) for line in output.split())


def qpumon(*args: str) -> list[str]:
    """The real ``qpumon`` entry point."""
    return [PYTHON, "-m", "qpumon", *args]


def measure(server: IBMStandIn, env: dict[str, str], runs: int, latency: float) -> dict[str, float]:
    """Every figure of the module docstring."""
    figures = interleaved(
        {
            "python": [PYTHON, "-c", "pass"],
            "startup": qpumon("--version"),
            "monitor": qpumon("monitor", "ibm_fez"),
        },
        env,
        runs,
    )
    server.requests.clear()
    run(qpumon("monitor", "ibm_fez"), env)
    (props,) = server.seen("properties", "ibm_fez")
    served = server.devices["ibm_fez"].properties(None)
    figures["wire"], figures["json"] = props.sent, len(served or b"")
    server.latency = latency
    commands = {
        "overview": qpumon("overview", "--live", "--refresh"),
        "bare": [PYTHON, "-c", BARE, "0"],
    }
    figures |= interleaved(commands, env, runs)
    figures |= interleaved({"official": [PYTHON, "-c", OFFICIAL]}, env, max(3, runs // 2))
    figures["inside"] = printed_median([PYTHON, "-c", INSIDE, str(runs)], env, runs)
    figures["inside_bare"] = printed_median([PYTHON, "-c", BARE, str(runs)], env, runs)
    return figures


def verdict(met: bool) -> str:
    """``met`` or ``MISSED``."""
    return "met" if met else "MISSED"


def report(f: dict[str, float], runs: int, latency: float) -> None:
    """Print the figures beside their floors and targets (CPU seconds in brackets)."""

    def timed(name: str) -> str:
        return f"{f[name]:6.3f} s ({f[name + '_cpu']:.3f} s CPU)"

    print(f"live IBM Quantum against the stand-in (127.0.0.1), {len(STEMS)} devices; median of "
          f"{runs} runs, wall time (CPU time); load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"floors: python -c pass {timed('python')}; qpumon --version, the CLI's start-up, "
          f"{timed('startup')}")  # fmt: skip
    print(f"overview --live --refresh, {latency * 1000:.0f} ms added to every answer "
          "(whole process):")  # fmt: skip
    print(f"  qpumon                                  {timed('overview')}  target <= "
          f"{OVERVIEW_TARGET} s: {verdict(f['overview'] <= OVERVIEW_TARGET)}; "
          f"x{f['overview'] / f['bare']:.2f} the floor")  # fmt: skip
    print(f"  floor: bare httpx, the same 3 rounds    {timed('bare')}")
    speedup = f["official"] / f["overview"]
    print(f"  official client, public API, 16 threads {timed('official')}  -> qpumon "
          f"{speedup:.1f}x faster (target >= {SPEEDUP_TARGET:g}x: "
          f"{verdict(speedup >= SPEEDUP_TARGET)})")  # fmt: skip
    ratio = f["inside"] / f["inside_bare"]
    print(f"  in one process, a refresh (device list + devices): qpumon {f['inside']:.3f} s, "
          f"bare httpx {f['inside_bare']:.3f} s (x{ratio:.2f})")  # fmt: skip
    print("monitor ibm_fez, no added latency (whole process):")
    print(f"  qpumon {timed('monitor')}: target <= {MONITOR_TARGET} s: "
          f"{verdict(f['monitor'] <= MONITOR_TARGET)}; x{f['monitor'] / f['startup']:.1f} "
          "the CLI's start-up")  # fmt: skip
    print(f"  peak RSS {f['monitor_mib']:.1f} MiB: target <= {MEMORY_TARGET:g} MiB: "
          f"{verdict(f['monitor_mib'] <= MEMORY_TARGET)}")  # fmt: skip
    beyond, beyond_cpu = f["monitor"] - f["startup"], f["monitor_cpu"] - f["startup_cpu"]
    print(f"  beyond the CLI's start-up (the live fetch and the report): {beyond:.3f} s "
          f"({beyond_cpu:.3f} s CPU)")  # fmt: skip
    print(f"wire: fez's calibration {f['json']:,.0f} bytes of JSON, {f['wire']:,.0f} bytes "
          f"gzipped on the wire ({f['wire'] / f['json']:.1%})")  # fmt: skip


# -- Amazon Braket and Rigetti QCS -----------------------------------------------------------

#: boto3 as the Braket SDK's docs show it: search every region, then each device, parsed.
BRAKET_OFFICIAL = """
import boto3
from braket.schema_common import BraketSchemaBase
regions = ("us-east-1", "us-west-1", "us-west-2", "eu-west-2", "eu-north-1")
seen = {}
for region in regions:
    client = boto3.client("braket", region_name=region)
    for d in client.search_devices(filters=[])["devices"]:
        seen.setdefault(d["deviceArn"], client)
for arn, client in seen.items():
    answer = client.get_device(deviceArn=arn)
    BraketSchemaBase.parse_raw_schema(answer["deviceCapabilities"])
assert len(seen) == 4
"""

#: Bare httpx: the two QCS routes per processor, sequential, answers read.
RIGETTI_BARE = """
import os, httpx
url, token = os.environ["QPUMON_BENCH_QCS_URL"], os.environ["QPUMON_BENCH_QCS_TOKEN"]
with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
    ids = [p["id"] for p in client.get(f"{url}/v1/quantumProcessors").json()["quantumProcessors"]]
    for i in ids:
        client.get(f"{url}/v1/quantumProcessors/{i}/instructionSetArchitecture").json()
"""


def vendor_figures(runs: int, latency: float) -> dict[str, float]:
    """qpumon on Braket and Rigetti names against their stand-ins (``latency`` added to every
    answer), beside boto3 with amazon-braket-schemas, qcs-api-client (its own environment, if the
    contract test has built it) and bare httpx doing the same reads."""
    from tests.live.braket_server import BraketStandIn
    from tests.live.official_clients import cache
    from tests.live.rigetti_server import ACCESS_TOKEN, RigettiStandIn
    from tests.live.test_rigetti_contract import CLIENT, DRIVER

    braket, rigetti = BraketStandIn(latency=latency), RigettiStandIn(latency=latency)
    with braket.running(), rigetti.running(), tempfile.TemporaryDirectory() as home:
        env = {**os.environ, **braket.environment, "HOME": home,
               **rigetti.write_files(Path(home) / "qcs"), "QPUMON_BENCH_QCS_URL": rigetti.url,
               "QPUMON_BENCH_QCS_TOKEN": ACCESS_TOKEN}  # fmt: skip
        names = ["braket:Garnet", "braket:Ankaa-3", "braket:Forte-1"]
        names += ["rigetti:Aspen-M-3", "rigetti:Aspen-9"]
        commands = {
            "v_overview": qpumon("overview", *names),
            "v_braket": qpumon("monitor", "braket:Garnet"),
            "v_rigetti": qpumon("monitor", "rigetti:Aspen-M-3"),
            "v_boto3": [PYTHON, "-c", BRAKET_OFFICIAL],
            "v_httpx": [PYTHON, "-c", RIGETTI_BARE],
        }
        client = cache() / CLIENT.replace("==", "-") / "bin" / "python"
        if client.exists():
            commands["v_qcs"] = [str(client), str(DRIVER)]
        figures = interleaved(commands, env, runs)
    return figures


def vendor_report(f: dict[str, float], runs: int, latency: float) -> None:
    """Print the Braket and Rigetti figures beside the official clients'."""

    def timed(name: str) -> str:
        return f"{f[name]:6.3f} s ({f[name + '_cpu']:.3f} s CPU)" if name in f else "not run"

    print(f"Amazon Braket and Rigetti QCS stand-ins, {latency * 1000:.0f} ms added to every "
          f"answer; median of {runs} runs, whole process:")  # fmt: skip
    print(f"  qpumon overview of 3 Braket + 2 Rigetti devices {timed('v_overview')}")
    print(f"  qpumon monitor braket:Garnet                    {timed('v_braket')}")
    print(f"  boto3 + braket-schemas, 5 regions + 4 devices   {timed('v_boto3')}  "
          f"(x{f['v_boto3'] / f['v_overview']:.2f} qpumon's overview)")  # fmt: skip
    print(f"  qpumon monitor rigetti:Aspen-M-3                {timed('v_rigetti')}")
    print(f"  qcs-api-client, list + 2 ISAs (own env)         {timed('v_qcs')}")
    print(f"  bare httpx, list + 2 ISAs                       {timed('v_httpx')}")


# -- IQM Resonance and IonQ ------------------------------------------------------------------

IQM_TARGET = 0.4

#: Bare httpx: the reads of ``monitor iqm:garnet`` (the computer list, then the calibration set,
#: its metrics, its DQA and the health at once), answers parsed.
IQM_BARE = """
import asyncio, os, httpx
url, token = os.environ["IQM_SERVER_URL"] + "/api/v1", os.environ["IQM_TOKEN"]
async def main():
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
        (await client.get(f"{url}/quantum-computers")).json()
        base = f"{url}/calibration-sets/garnet/default"
        paths = [base, base + "/metrics", base + "/dynamic-quantum-architecture",
                 f"{url}/quantum-computers/garnet/health"]
        answers = await asyncio.gather(*(client.get(p) for p in paths))
        assert all(a.json() is not None for a in answers)
asyncio.run(main())
"""

#: qiskit-ionq as its docs show it: a provider, each QPU backend, its latest characterization.
IONQ_OFFICIAL = """
import os, warnings
warnings.simplefilter("ignore")
from qiskit_ionq import IonQProvider
provider = IonQProvider(token=os.environ["IONQ_API_KEY"], url=os.environ["IONQ_API_URL"])
for name in ("qpu.aria-1", "qpu.forte-1"):
    backend = provider.get_backend(name)
    assert backend.calibration() is not None and backend.status()
"""

#: Bare httpx: the reads of the IonQ part of the overview (the backend list, then each QPU's
#: newest characterizations at once), answers parsed.
IONQ_BARE = """
import asyncio, os, httpx
url = os.environ["IONQ_API_URL"]
async def main():
    headers = {"Authorization": "apiKey " + os.environ["IONQ_API_KEY"]}
    async with httpx.AsyncClient(headers=headers) as client:
        names = [b["backend"] for b in (await client.get(f"{url}/backends")).json()
                 if b["backend"].startswith("qpu.")]
        answers = await asyncio.gather(*(client.get(f"{url}/backends/{n}/characterizations",
                                                    params={"limit": "2"}) for n in names))
        assert all(a.json()["characterizations"] for a in answers)
asyncio.run(main())
"""


def iqm_ionq_figures(runs: int, latency: float) -> dict[str, float]:
    """qpumon on ``iqm:garnet`` and the IonQ QPUs against their stand-ins (``latency`` added to
    every answer), beside iqm-client 36 (its own environment, if the contract test has built it)
    and qiskit-ionq doing the same reads sequentially, and bare httpx."""
    from tests.live.official_clients import cache
    from tests.live.test_vendor_contract import IQM_CLIENT, SCRIPT
    from tests.live.vendor_servers import IonQStandIn, IQMStandIn

    iqm, ionq = IQMStandIn(latency=latency), IonQStandIn(latency=latency)
    with iqm.running(), ionq.running(), tempfile.TemporaryDirectory() as home:
        env = {**os.environ, **iqm.environment, **ionq.environment, "HOME": home,
               "XDG_CACHE_HOME": f"{home}/.cache"}  # fmt: skip
        for variable in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_URL"):
            env.pop(variable, None)  # overview --live: these two vendors' devices only
        commands = {
            "q_monitor": qpumon("monitor", "iqm:garnet"),
            "q_iqm_bare": [PYTHON, "-c", IQM_BARE],
            "q_overview": qpumon("overview", "--live"),
            "q_ionq_bare": [PYTHON, "-c", IONQ_BARE],
            "q_startup": qpumon("--version"),
        }
        client = cache() / IQM_CLIENT.replace("==", "-") / "bin" / "python"
        if client.exists():
            commands["q_iqm_client"] = [str(client), str(SCRIPT)]
        try:
            import qiskit_ionq  # noqa: F401
        except ImportError:
            pass
        else:
            commands["q_qiskit_ionq"] = [PYTHON, "-c", IONQ_OFFICIAL]
        return interleaved(commands, env, runs)


def iqm_ionq_report(f: dict[str, float], runs: int, latency: float) -> None:
    """Print the IQM and IonQ figures beside the official clients' and the floors."""

    def timed(name: str) -> str:
        return f"{f[name]:6.3f} s ({f[name + '_cpu']:.3f} s CPU)" if name in f else "   not run"

    def times(name: str, than: str) -> str:
        return f"x{f[name] / f[than]:.2f} qpumon's" if name in f else "(client not installed)"

    print(f"IQM Resonance and IonQ stand-ins, {latency * 1000:.0f} ms added to every answer; "
          f"median of {runs} runs, whole process:")  # fmt: skip
    print(f"  qpumon --version (the CLI's start-up)        {timed('q_startup')}")
    print(f"  qpumon monitor iqm:garnet                    {timed('q_monitor')}  target <= "
          f"{IQM_TARGET} s: {verdict(f['q_monitor'] <= IQM_TARGET)}")  # fmt: skip
    print(f"  iqm-client 36, the same reads (own env)      {timed('q_iqm_client')}  "
          f"{times('q_iqm_client', 'q_monitor')}")  # fmt: skip
    print(f"  bare httpx, the same reads                   {timed('q_iqm_bare')}")
    print(f"  qpumon overview --live (garnet, 2 IonQ QPUs) {timed('q_overview')}")
    print(f"  qiskit-ionq, 2 backends + characterizations  {timed('q_qiskit_ionq')}  "
          f"{times('q_qiskit_ionq', 'q_overview')} overview")  # fmt: skip
    print(f"  bare httpx, IonQ's reads                     {timed('q_ionq_bare')}")


# -- Issue 21: all five vendors at once --------------------------------------------------------

FIVE_TARGET = 1.0

#: qiskit-ibm-runtime as its docs show it: the service, its backends, then each one's status and
#: properties in turn.
IBM_SEQUENTIAL = """
import os
from qiskit_ibm_runtime import QiskitRuntimeService
service = QiskitRuntimeService(channel="ibm_quantum_platform", token=os.environ["QISKIT_IBM_TOKEN"],
    url=os.environ["QISKIT_IBM_URL"], instance=os.environ["QISKIT_IBM_INSTANCE"],
    url_resolver=lambda url, *rest: url)
done = [(b.status(), b.properties()) for b in service.backends()]
assert done
"""

#: Bare httpx: every read of ``overview --live`` over the five stand-ins, each vendor's chain of
#: rounds (list, then its devices at once) run concurrently with the others, answers parsed;
#: Braket's requests signed with botocore's SigV4 signer (the one piece httpx lacks).
FIVE_BARE = """
import asyncio, os, tomllib
from urllib.parse import quote
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
E = os.environ
async def each(client, urls, headers):
    answers = await asyncio.gather(*(client.get(u, headers=headers) for u in urls))
    assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
    return [a.json() for a in answers]
async def ibm(c):
    token = (await c.post(E["IAM_URL"] + "/identity/token", data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey",
        "apikey": E["QISKIT_IBM_TOKEN"]})).json()["access_token"]
    h = {"Authorization": f"Bearer {token}", "Service-CRN": E["QISKIT_IBM_INSTANCE"],
         "IBM-API-Version": "2026-04-15"}
    api = E["QISKIT_IBM_URL"]
    (listing,) = await each(c, [f"{api}/backends"], h)
    names = [d["name"] for d in listing["devices"]]
    await each(c, [f"{api}/backends/{n}/{r}" for n in names
                   for r in ("properties", "status", "configuration")], h)
async def iqm(c):
    url, h = E["IQM_SERVER_URL"] + "/api/v1", {"Authorization": "Bearer " + E["IQM_TOKEN"]}
    (listing,) = await each(c, [f"{url}/quantum-computers"], h)
    paths = []
    for qc in (q["alias"] for q in listing["quantum_computers"]):
        base = f"{url}/calibration-sets/{qc}/default"
        paths += [base, base + "/metrics", base + "/dynamic-quantum-architecture",
                  f"{url}/quantum-computers/{qc}/health"]
    await each(c, paths, h)
async def ionq(c):
    url, h = E["IONQ_API_URL"], {"Authorization": "apiKey " + E["IONQ_API_KEY"]}
    (listing,) = await each(c, [f"{url}/backends"], h)
    await each(c, [f"{url}/backends/{b['backend']}/characterizations?limit=2" for b in listing
                   if b["backend"].startswith("qpu.")], h)
def signed(method, url, region, body=b""):
    request = AWSRequest(method=method, url=url, data=body,
                         headers={"Content-Type": "application/json"})
    keys = Credentials(E["AWS_ACCESS_KEY_ID"], E["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(keys, "braket", region).add_auth(request)
    return dict(request.headers.items())
async def braket(c):
    url, body = E["AWS_ENDPOINT_URL_BRAKET"], b'{"filters": []}'
    regions = ("us-east-1", "us-west-1", "us-west-2", "eu-west-2", "eu-north-1")
    pages = await asyncio.gather(*(c.post(f"{url}/devices", content=body,
                                          headers=signed("POST", f"{url}/devices", r, body))
                                   for r in regions))
    arns = {d["deviceArn"]: r for p, r in zip(pages, regions) for d in p.json()["devices"]
            if d["deviceType"] == "QPU"}
    gets = [(f"{url}/device/{quote(arn, safe='')}", region) for arn, region in arns.items()]
    answers = await asyncio.gather(*(c.get(u, headers=signed("GET", u, r)) for u, r in gets))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    [a.json() for a in answers]
async def rigetti(c):
    with open(E["QCS_SETTINGS_FILE_PATH"], "rb") as f:
        url = tomllib.load(f)["profiles"]["standin"]["api_url"]
    with open(E["QCS_SECRETS_FILE_PATH"], "rb") as f:
        token = tomllib.load(f)["credentials"]["standin"]["token_payload"]["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    (listing,) = await each(c, [f"{url}/v1/quantumProcessors"], h)
    await each(c, [f"{url}/v1/quantumProcessors/{p['id']}/instructionSetArchitecture"
                   for p in listing["quantumProcessors"]], h)
async def main():
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits) as c:
        await asyncio.gather(ibm(c), iqm(c), ionq(c), braket(c), rigetti(c))
asyncio.run(main())
"""


def five_figures(runs: int, latency: float) -> tuple[dict[str, float], dict[str, str], int]:
    """The issue's rows: qpumon's ``overview --live`` over the five stand-ins (``latency`` added
    to every answer) and ``monitor iqm:garnet``, beside ``qpumon --version``, bare httpx doing
    every read at once, and each official client doing its vendor's reads in sequence as its
    docs show (iqm-client and qcs-api-client in their own environments when the contract tests
    have built them). Also: which official rows ran, and how many devices the overview lists."""
    import json

    from tests.live.official_clients import cache
    from tests.live.stand_ins import FOREIGN_PREFIXES, five_stand_ins
    from tests.live.test_rigetti_contract import CLIENT as QCS_CLIENT
    from tests.live.test_rigetti_contract import DRIVER
    from tests.live.test_vendor_contract import IQM_CLIENT, SCRIPT

    clean = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_PREFIXES)}
    with tempfile.TemporaryDirectory() as home, five_stand_ins(Path(home), latency) as five:
        env = {**clean, **five.environment, "HOME": home, "XDG_CACHE_HOME": f"{home}/.cache"}
        listed = subprocess.run(qpumon("overview", "--live", "-f", "json"), env=env,
                                capture_output=True, text=True, check=True).stdout  # fmt: skip
        devices = len(json.loads(listed)["devices"])
        official = {
            "f_ibm": ("IBM Quantum: qiskit-ibm-runtime", [PYTHON, "-c", IBM_SEQUENTIAL]),
            "f_ionq": ("IonQ: qiskit-ionq", [PYTHON, "-c", IONQ_OFFICIAL]),
            "f_braket": ("Amazon Braket: boto3 + braket-schemas", [PYTHON, "-c", BRAKET_OFFICIAL]),
        }
        for key, label, requirement, script in (
            ("f_iqm", "IQM: iqm-client 36 (own env)", IQM_CLIENT, SCRIPT),
            ("f_rigetti", "Rigetti: qcs-api-client (own env)", QCS_CLIENT, DRIVER),
        ):
            client = cache() / requirement.replace("==", "-") / "bin" / "python"
            if client.exists():
                official[key] = (label, [str(client), str(script)])
        commands = {
            "f_startup": qpumon("--version"),
            "f_overview": qpumon("overview", "--live"),
            "f_monitor": qpumon("monitor", "iqm:garnet"),
            "f_bare": [PYTHON, "-c", FIVE_BARE],
            **{key: args for key, (_, args) in official.items()},
        }
        figures = interleaved(commands, env, runs)
    return figures, {key: label for key, (label, _) in official.items()}, devices


def five_report(
    f: dict[str, float], official: dict[str, str], devices: int, runs: int, latency: float
) -> None:
    """Print the issue's rows beside the floor, bare httpx and the official clients."""

    def timed(name: str) -> str:
        return f"{f[name]:6.3f} s ({f[name + '_cpu']:.3f} s CPU)"

    def beyond(name: str) -> str:
        return (f"{f[name] - f['f_startup']:.3f} s ({f[name + '_cpu'] - f['f_startup_cpu']:.3f} s "
                "CPU) beyond the start-up")  # fmt: skip

    print(f"All five vendors' stand-ins (IBM Quantum, IQM, IonQ, Amazon Braket, Rigetti QCS), "
          f"{latency * 1000:.0f} ms added to every answer; median of {runs} runs, whole process, "
          f"wall (CPU); load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"  floor: qpumon --version (the CLI's start-up)      {timed('f_startup')}")
    print(f"  qpumon overview --live ({devices} devices, 5 vendors)  {timed('f_overview')}  "
          f"target <= {FIVE_TARGET} s: {verdict(f['f_overview'] <= FIVE_TARGET)}; "
          f"{beyond('f_overview')}")  # fmt: skip
    print(f"  bare httpx, the same reads, vendors at once       {timed('f_bare')}  "
          f"(qpumon x{f['f_overview'] / f['f_bare']:.2f})")  # fmt: skip
    total = total_cpu = 0.0
    for key, label in official.items():
        total, total_cpu = total + f[key], total_cpu + f[key + "_cpu"]
        print(f"  official, sequential: {label:<38} {timed(key)}  "
              f"(x{f[key] / f['f_overview']:.2f} qpumon's overview)")  # fmt: skip
    print(
        f"  the {len(official)} official clients one after another        {total:6.3f} s "
        f"({total_cpu:.3f} s CPU)  (x{total / f['f_overview']:.2f} qpumon's overview)"
    )
    missing = {"f_iqm", "f_rigetti"} - set(official)
    if missing:
        print(f"  not run (own environment not built: run the contract tests): {sorted(missing)}")
    print(f"  qpumon monitor iqm:garnet                         {timed('f_monitor')}  "
          f"target <= {IQM_TARGET} s: {verdict(f['f_monitor'] <= IQM_TARGET)}; "
          f"{beyond('f_monitor')}")  # fmt: skip


def main() -> None:
    """Serve the stand-in, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--vendors-only", action="store_true", help="Braket and Rigetti only")
    parser.add_argument("--iqm-ionq-only", action="store_true", help="IQM and IonQ only")
    parser.add_argument("--five-only", action="store_true", help="the five vendors at once only")
    args = parser.parse_args()
    five_report(*five_figures(args.runs, args.latency), args.runs, args.latency)
    if args.five_only:
        return
    if args.iqm_ionq_only:
        iqm_ionq_report(iqm_ionq_figures(args.runs, args.latency), args.runs, args.latency)
        return
    if args.vendors_only:
        vendor_report(vendor_figures(args.runs, args.latency), args.runs, args.latency)
        return
    server = IBMStandIn.with_devices(STEMS)
    with server.running(), tempfile.TemporaryDirectory() as home:
        env = {**os.environ, **server.environment, "HOME": home,
               "XDG_CACHE_HOME": f"{home}/.cache", "QISKIT_IBM_TOKEN": GOOD_KEY,
               "QISKIT_IBM_INSTANCE": CRN, "QISKIT_IBM_URL": server.api_url}  # fmt: skip
        figures = measure(server, env, args.runs, args.latency)
    report(figures, args.runs, args.latency)
    vendor_report(vendor_figures(args.runs, args.latency), args.runs, args.latency)
    iqm_ionq_report(iqm_ionq_figures(args.runs, args.latency), args.runs, args.latency)


if __name__ == "__main__":
    main()
