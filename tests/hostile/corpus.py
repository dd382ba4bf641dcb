"""The hostile corpus: inputs built to crash, hang, exhaust or deceive qpumon, with what each must
end in. ``build(folder)`` writes the files into ``folder`` and returns the cases; the tests run
each through the real entry point (``scripts/make-hostile-corpus DIR`` writes them for a look).

Every case must end within its time limit under a 4 GB address-space limit, with its expected
exit code (0 for input qpumon accepts, 2 for bad input, 3 for an unreachable service), and on
failure one line on stderr with no traceback; a case with ``-o`` must leave the target either
absent or whole.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import with_literal

#: Seconds any case may take (circuits: :data:`CIRCUIT_SECONDS`).
SECONDS = 20.0
CIRCUIT_SECONDS = 60.0


@dataclass(frozen=True)
class Case:
    """One hostile run: ``args`` to ``qpumon``, the exit codes allowed, the time allowed, and the
    output file (if any) that must be absent or whole afterwards."""

    name: str
    args: tuple[str, ...]
    exits: tuple[int, ...] = (2,)
    seconds: float = SECONDS
    output: str | None = None
    stdin: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    #: Text that must appear in neither stdout nor stderr (a secret, in each form given).
    absent: tuple[str, ...] = ()


def _bundled(stem: str, kind: str) -> Any:
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"
    return json.loads((folder / stem / f"{kind}_{stem}.json").read_text(encoding="utf-8"))


# -- IBM properties files --------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _qubit_value(qubit: int, name: str, key: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        entry = next(e for e in doc["qubits"][qubit] if e["name"] == name)
        entry[key] = value

    return edit


def _gate_param(index: int, name: str, key: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        entry = next(p for p in doc["gates"][index]["parameters"] if p["name"] == name)
        entry[key] = value

    return edit


def _every_readout_zero(doc: dict[str, Any]) -> None:
    for entry in (e for q in doc["qubits"] for e in q if e["name"] == "readout_error"):
        entry["value"] = 0


#: Edits of fake_lagos's properties, each a bad document (exit 2) unless marked 0.
PROPS_EDITS: dict[str, tuple[Edit, int]] = {
    "t1-string": (_qubit_value(0, "T1", "value", "101"), 2),
    "t1-list": (_qubit_value(0, "T1", "value", [1, 2]), 2),
    "t1-dict": (_qubit_value(0, "T1", "value", {"v": 1}), 2),
    "t1-bool": (_qubit_value(0, "T1", "value", True), 2),
    "t1-null": (_qubit_value(0, "T1", "value", None), 2),
    "t1-negative": (_qubit_value(0, "T1", "value", -5.0), 2),
    "t1-huge-int": (_qubit_value(0, "T1", "value", 10**400), 2),
    "t1-1e308": (_qubit_value(0, "T1", "value", 1e308), 0),
    "t1-unit-number": (_qubit_value(0, "T1", "unit", 5), 2),
    "t1-unit-list": (_qubit_value(0, "T1", "unit", ["us"]), 2),
    "t1-unit-unknown": (_qubit_value(0, "T1", "unit", "fortnights"), 2),
    "t1-unit-escape": (_qubit_value(0, "T1", "unit", "\x1b[2Jus"), 2),
    "t1-date-garbage": (_qubit_value(0, "T1", "date", "yesterday"), 2),
    "t1-date-number": (_qubit_value(0, "T1", "date", 1700000000), 2),
    "t1-date-year-0": (_qubit_value(0, "T1", "date", "0000-01-01T00:00:00Z"), 2),
    "t1-date-year-99999": (_qubit_value(0, "T1", "date", "99999-01-01T00:00:00Z"), 2),
    "t1-date-before-year-1": (_qubit_value(0, "T1", "date", "0001-01-01T00:00:00+01:00"), 2),
    "t1-date-long": (_qubit_value(0, "T1", "date", "2025-01-01" + "9" * 100_000), 2),
    "readout-above-1": (_qubit_value(0, "readout_error", "value", 1.5), 2),
    "readout-all-zero": (_every_readout_zero, 0),
    "qubit-name-number": (_qubit_value(0, "T1", "name", 7), 0),
    "gate-error-above-1": (_gate_param(0, "gate_error", "value", 2.0), 2),
    "gate-error-nan-string": (_gate_param(0, "gate_error", "value", "NaN"), 2),
    "gate-length-negative": (_gate_param(0, "gate_length", "value", -1.0), 2),
    "gate-length-unit-s": (_gate_param(0, "gate_length", "unit", "s"), 0),
    "gate-length-unit-bogus": (_gate_param(0, "gate_length", "unit", "parsec"), 2),
    "gate-name-number": (_set(("gates", 0, "gate"), 42), 2),
    "gate-name-long": (_set(("gates", 0, "gate"), "g" * 41), 2),
    "gate-name-escape": (_set(("gates", 0, "gate"), "cx\x1b]52;c;aGk=\x07"), 0),
    "gate-qubit-beyond": (_set(("gates", 0, "qubits"), [0, 99]), 2),
    "gate-qubit-negative": (_set(("gates", 0, "qubits"), [-1]), 2),
    "gate-qubit-repeated": (_set(("gates", 0, "qubits"), [1, 1]), 2),
    "gate-qubit-float": (_set(("gates", 0, "qubits"), [0.5]), 2),
    "gate-qubits-string": (_set(("gates", 0, "qubits"), "0,1"), 2),
    "gate-qubits-empty": (_set(("gates", 0, "qubits"), []), 2),
    "gate-params-not-list": (_set(("gates", 0, "parameters"), {"gate_error": 1}), 2),
    "gate-not-object": (_set(("gates", 0), "cx"), 2),
    "gate-duplicate": (lambda d: d["gates"].append(copy.deepcopy(d["gates"][0])), 2),
    "qubits-not-list": (_set(("qubits",), {"0": []}), 2),
    "qubit-entry-not-object": (_set(("qubits", 0, 0), 5), 2),
    "gates-missing": (lambda d: d.pop("gates"), 2),
    "last-update-garbage": (_set(("last_update_date",), "soon"), 2),
    "last-update-list": (_set(("last_update_date",), [2025]), 2),
    "backend-name-number": (_set(("backend_name",), 12), 2),
    "backend-name-escape": (_set(("backend_name",), "lagos\x1b[2J\x07"), 0),
    "backend-name-newline": (_set(("backend_name",), "lagos\n| x |"), 0),
    "backend-name-long": (_set(("backend_name",), "x" * 300), 0),  # the configuration names it
    "general-not-list": (_set(("general",), "lf"), 2),
    "layer-fidelity-above-1": (
        lambda d: d.setdefault("general", []).append({"name": "lf_5", "value": 3.0}),
        2,
    ),
    "extra-keys": (lambda d: d.update({"surprise": {"deep": [1, 2, 3]}}), 0),
}

#: Edits of fake_lagos's configuration.
CONF_EDITS: dict[str, tuple[Edit, int]] = {
    "n-qubits-huge": (_set(("n_qubits",), 10**12), 2),
    "n-qubits-negative": (_set(("n_qubits",), -3), 2),
    "n-qubits-string": (_set(("n_qubits",), "7"), 2),
    "n-qubits-too-few": (_set(("n_qubits",), 3), 2),
    "coupler-beyond": (lambda d: d["coupling_map"].append([0, 50]), 2),
    "coupler-self-loop": (lambda d: d["coupling_map"].append([2, 2]), 2),
    "coupler-negative": (lambda d: d["coupling_map"].append([-1, 0]), 2),
    "coupler-three": (lambda d: d["coupling_map"].append([0, 1, 2]), 2),
    "coupling-map-string": (_set(("coupling_map",), "all"), 2),
    "basis-gates-number": (_set(("basis_gates",), 5), 2),
    "dt-string": (_set(("dt",), "fast"), 2),
    "dt-none-string": (_set(("dt",), "None"), 0),
    "processor-type-list": (_set(("processor_type",), ["Falcon"]), 0),
    "coords-wrong-count": (_set(("coords",), [[0, 0]]), 2),
    "coords-strings": (_set(("coords",), [["a", "b"]] * 7), 2),
}


def _write_props_cases(folder: Path) -> Iterator[Case]:
    props, conf = _bundled("lagos", "props"), _bundled("lagos", "conf")
    for name, (edit, code) in PROPS_EDITS.items():
        doc = copy.deepcopy(props)
        edit(doc)
        case = folder / f"props-{name}" / "props_lagos.json"
        case.parent.mkdir(parents=True)
        case.write_text(json.dumps(doc), encoding="utf-8")
        (case.parent / "conf_lagos.json").write_text(json.dumps(conf), encoding="utf-8")
        yield Case(f"props:{name}", ("monitor", str(case)), (code,))
    for name, (edit, code) in CONF_EDITS.items():
        doc = copy.deepcopy(conf)
        edit(doc)
        case = folder / f"conf-{name}" / "props_lagos.json"
        case.parent.mkdir(parents=True)
        case.write_text(json.dumps(props), encoding="utf-8")
        (case.parent / "conf_lagos.json").write_text(json.dumps(doc), encoding="utf-8")
        yield Case(f"conf:{name}", ("monitor", str(case)), (code,))


# -- raw files -------------------------------------------------------------------------------

#: Bytes that are not a calibration file at all.
RAW_FILES: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b"   \n\t ",
    "not-json": b"calibration: yes\n",
    "truncated": b'{"qubits": [[{"name": "T1", "value": 1',
    "binary": bytes(range(256)) * 4,
    "latin-1": '{"backend_name": "café"}'.encode("latin-1"),
    "utf-16": '{"qubits": [], "gates": []}'.encode("utf-16"),
    "nested-arrays": b"[" * 200_000,
    "nested-objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "json-list": b"[1, 2, 3]",
    "json-string": b'"fez"',
    "json-number": b"1e999999",
    "nan": b'{"qubits": [[{"name": "T1", "value": NaN, "unit": "us"}]], "gates": []}',
    "infinity": b'{"qubits": [[{"name": "T1", "value": Infinity, "unit": "us"}]], "gates": []}',
    "object-no-known-keys": b'{"hello": "world"}',
    "props-only-empty": b'{"qubits": [], "gates": []}',
    "conf-only": b'{"n_qubits": 2, "backend_name": "tiny"}',
    "conf-only-huge": b'{"n_qubits": 1000000000000, "backend_name": "huge"}',
    "duplicate-keys": b'{"qubits": [], "qubits": [], "gates": []}',
    "bom": b'\xef\xbb\xbf{"qubits": [], "gates": []}',
    "control-chars-in-name": b'{"n_qubits": 1, "backend_name": "\\u001b]0;pwned\\u0007"}',
}
#: The exit code of each raw file (2 unless listed).
RAW_OK = {
    "props-only-empty",
    "conf-only",
    "control-chars-in-name",
    "utf-16",  # JSON's RFC 8259 allows a parser to read UTF-16 and a BOM; Python's does
    "bom",
    "duplicate-keys",  # JSON leaves duplicate names open; the last one wins, as everywhere
}


def _write_raw_cases(folder: Path) -> Iterator[Case]:
    for name, data in RAW_FILES.items():
        path = folder / f"raw-{name}.json"
        path.write_bytes(data)
        yield Case(f"raw:{name}", ("monitor", str(path)), (0 if name in RAW_OK else 2,))
    big = folder / "raw-huge.json"
    with big.open("wb") as handle:  # sparse: 300 MB that take no disk
        handle.seek(300 * 1024 * 1024)
        handle.write(b" ")
    yield Case("raw:300-MB", ("monitor", str(big)))
    yield Case("raw:dev-zero", ("monitor", "/dev/zero"))
    yield Case("raw:dev-null", ("monitor", "/dev/null"))
    yield Case("raw:directory", ("monitor", str(folder) + "/"))
    loop = folder / "loop.json"
    loop.symlink_to(loop)
    yield Case("raw:symlink-loop", ("monitor", str(loop)))
    yield Case("raw:missing", ("monitor", str(folder / "missing.json")))


# -- qpumon snapshots --------------------------------------------------------------------------

SNAPSHOT_EDITS: dict[str, tuple[Edit, int]] = {
    "version-missing": (lambda d: d.pop("qpumon_snapshot"), 2),
    "version-99": (_set(("qpumon_snapshot",), 99), 2),
    "version-true": (_set(("qpumon_snapshot",), True), 2),
    "version-string": (_set(("qpumon_snapshot",), "1"), 2),
    "edges-three": (lambda d: d["coupling_edges"].append([0, 1, 2]), 2),
    "edges-one": (lambda d: d["coupling_edges"].append([0]), 2),
    "edges-strings": (lambda d: d["coupling_edges"].append(["a", "b"]), 2),
    "unit-labels-list": (_set(("unit_labels",), ["us"]), 2),
    "unit-labels-number-value": (_set(("unit_labels",), {"t1_us": 5}), 2),
    "qubits-duplicate-index": (lambda d: d["qubits"].append(copy.deepcopy(d["qubits"][0])), 2),
    "qubit-index-beyond": (_set(("qubits", 0, "index"), 500), 2),
    "qubit-index-string": (_set(("qubits", 0, "index"), "0"), 2),
    "qubit-t1-string": (_set(("qubits", 0, "t1_us"), "101"), 2),
    "qubit-measured-at-list": (_set(("qubits", 0, "measured_at"), []), 2),
    "gate-qubits-string": (_set(("gates", 0, "qubits"), "01"), 2),
    "gate-error-negative": (_set(("gates", 0, "error"), -0.1), 2),
    "num-qubits-huge": (_set(("num_qubits",), 10**12), 2),
    "num-qubits-float": (_set(("num_qubits",), 7.5), 2),
    "status-list": (_set(("status",), [True]), 2),
    "status-pending-negative": (_set(("status",), {"operational": True, "pending_jobs": -4}), 2),
    "status-operational-string": (_set(("status",), {"operational": "yes"}), 2),
    "configuration-list": (_set(("configuration",), [1]), 2),
    "coords-wrong-length": (_set(("coords",), [[0, 0]]), 2),
    "layer-fidelity-above-1": (
        _set(("layer_fidelities",), [{"num_qubits": 3, "fidelity": 1.5, "qubits": [0, 1, 2]}]),
        2,
    ),
    "device-value-unknown-key": (
        _set(("device_values",), [{"key": "wow", "value": 1.0}]),
        2,
    ),
    "connectivity-bogus": (_set(("connectivity",), "star"), 2),
    "name-empty": (_set(("name",), "  "), 2),
    "simulator-string": (_set(("simulator",), "no"), 2),
}


def _write_snapshot_cases(folder: Path, snapshot: dict[str, Any]) -> Iterator[Case]:
    for name, (edit, code) in SNAPSHOT_EDITS.items():
        doc = copy.deepcopy(snapshot)
        edit(doc)
        path = folder / f"snapshot-{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        yield Case(f"snapshot:{name}", ("monitor", str(path)), (code,))
        if name in ("qubits-duplicate-index", "edges-three"):
            yield Case(
                f"record-snapshot:{name}", ("import", str(path), "--db", str(folder / "h.db"))
            )


# -- command-line values -----------------------------------------------------------------------


def _argument_cases(folder: Path) -> Iterator[Case]:
    db = str(folder / "args.db")
    bad: dict[str, tuple[str, ...]] = {
        "unknown-device": ("monitor", "fake_nowhere"),
        "unknown-device-escape": ("monitor", "fake_\x1b[2J\x07"),
        "qubits-range-reversed": ("monitor", "fake_lagos", "--qubits", "5-2"),
        "qubits-beyond": ("monitor", "fake_lagos", "--qubits", "0-99"),
        "qubits-garbage": ("monitor", "fake_lagos", "--qubits", "a-b"),
        "qubits-huge": ("monitor", "fake_lagos", "--qubits", "0-" + "9" * 50),
        "sort-unknown": ("monitor", "fake_lagos", "--sort", "beauty"),
        "worst-negative": ("monitor", "fake_lagos", "--worst", "-1"),
        "format-unknown": ("monitor", "fake_lagos", "-f", "xml"),
        "legacy-for-history": ("history", "fake_lagos", "-f", "legacy", "--db", db),
        "at-garbage": ("monitor", "ibm_fez", "--at", "yesterday"),
        "at-year-99999": ("monitor", "ibm_fez", "--at", "99999-01-01"),
        "at-on-bundled": ("monitor", "fake_lagos", "--at", "2025-01-01"),
        "timeout-inf": ("monitor", "ibm_fez", "--timeout", "inf"),
        "timeout-nan": ("monitor", "ibm_fez", "--timeout", "nan"),
        "timeout-negative": ("monitor", "ibm_fez", "--timeout", "-1"),
        "since-huge": ("history", "fake_lagos", "--since", "999999999999d", "--db", db),
        "since-garbage": ("history", "fake_lagos", "--since", "ages", "--db", db),
        "every-zero": ("watch", "fake_lagos", "--every", "0s", "--db", db),
        "every-huge": ("watch", "fake_lagos", "--every", "99999999y", "--db", db),
        "demo-days-huge": ("demo-history", "fake_lagos", "--days", "10000000", "--db", db),
        "best-zero-qubits": ("best", "fake_lagos", "-n", "0"),
        "best-too-many": ("best", "fake_lagos", "-n", "8"),
        "best-shape": ("best", "fake_lagos", "-n", "3", "--shape", "star"),
        "top-zero": ("best", "fake_lagos", "-n", "3", "-k", "0"),
        "max-seconds-zero": ("best", "fake_lagos", "-n", "3", "--max-seconds", "0"),
        "map-bad-suffix": ("map", "fake_lagos", "-o", str(folder / "map.bmp")),
        "map-bad-metric": (
            "map",
            "fake_lagos",
            "--qubit-metric",
            "vibes",
            "-o",
            str(folder / "m.svg"),
        ),
        "plot-bad-metric": ("plot", "fake_lagos", "--metric", "vibes", "-o", str(folder / "p.svg")),
        "output-is-directory": ("monitor", "fake_lagos", "-o", str(folder)),
        "output-in-missing-folder": ("monitor", "fake_lagos", "-o", str(folder / "no" / "x.txt")),
        "output-dev-full": ("monitor", "fake_lagos", "-o", "/dev/full"),
        "db-garbage-url": ("history", "fake_lagos", "--db", "nosuch+driver://x/y"),
        "db-unreachable": ("history", "fake_lagos", "--db", "postgresql+psycopg://u@127.0.0.1:9/x"),
        "place-missing-circuit": ("place", str(folder / "none.qasm"), "fake_lagos"),
        "place-devices-and-all": ("place", str(folder / "none.qasm"), "fake_lagos", "--all"),
        "rules-missing": ("check", "fake_lagos", "--rules", str(folder / "none.toml"), "--db", db),
        "columns-nonsense": ("monitor", "fake_lagos", "--columns", ",,,\x1b"),
    }
    codes = {"db-unreachable": 3, "output-dev-full": 2}  # columns-nonsense: an unknown key
    for name, args in bad.items():
        yield Case(f"args:{name}", args, (codes.get(name, 2),))
    damaged = folder / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 90 + b"garbage" * 2000)
    yield Case("db:damaged-sqlite", ("history", "fake_lagos", "--db", str(damaged)))
    yield Case("db:not-sqlite", ("record", "fake_lagos", "--db", str(folder / "raw-binary.json")))


# -- alert rules ---------------------------------------------------------------------------------

_HOOKED = b'[[alert]]\nwhen = "t1 < 5"\nactions = ["webhook"]\n'
RULES: dict[str, bytes] = {
    "actions-number": b'[[alert]]\nwhen = "t1_us < 50"\nactions = 5\n',
    "actions-unknown": b'[[alert]]\nwhen = "t1_us < 50"\nactions = ["launch"]\n',
    "devices-string": b'[[alert]]\nwhen = "t1_us < 50"\ndevices = "x"\n',
    "baseline-inf": b'baseline_days = inf\n[[alert]]\nwhen = "t1_us < 2 * baseline"\n',
    "baseline-nan": b'baseline_days = nan\n[[alert]]\nwhen = "t1_us < 2 * baseline"\n',
    "baseline-negative": b'baseline_days = -3\n[[alert]]\nwhen = "t1_us < 50"\n',
    "non-utf8": b'[[alert]]\nwhen = "t1_us < 50"\nname = "\xff\xfe"\n',
    "number-garbage": b'[[alert]]\nwhen = "t1 < 1e5e5 * baseline"\n',
    "value-nan": b'[[alert]]\nwhen = "t1 < nan"\n',
    "value-inf": b'[[alert]]\nwhen = "t1 < inf"\n',
    "webhook-not-url": b'webhook = "not a url"\n' + _HOOKED,
    "webhook-file": b'webhook = "file:///etc/shadow"\n' + _HOOKED,
    "webhook-missing": b'[[alert]]\nwhen = "t1 < 5"\nactions = ["webhook"]\n',
    "metric-unknown": b'[[alert]]\nwhen = "charm < 5"\n',
    "operator-unknown": b'[[alert]]\nwhen = "t1 ~ 5"\n',
    "not-toml": b"[[alert\nwhen=",
    "no-alerts": b'webhook = "https://example.org"\n',
    "alert-not-table": b"alert = 5\n",
    "huge-integer": b'[[alert]]\nwhen = "t1 < 5"\nbaseline_days = 1' + b"0" * 5000 + b"\n",
    "escape-in-name": b'[[alert]]\nname = "\\u001b[2J"\nwhen = "t1 < 5"\n',
}


def _rules_cases(folder: Path) -> Iterator[Case]:
    db = str(folder / "rules.db")
    for name, data in RULES.items():
        path = folder / f"rules-{name}.toml"
        path.write_bytes(data)
        yield Case(f"rules:{name}", ("check", "fake_lagos", "--rules", str(path), "--db", db))
    huge = folder / "rules-huge.toml"
    huge.write_bytes(b'[[alert]]\nwhen = "t1 < 5"\n' * 40_000)
    yield Case("rules:huge-file", ("check", "fake_lagos", "--rules", str(huge), "--db", db))


# -- circuits ------------------------------------------------------------------------------------


def _nested_gates(levels: int) -> str:
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', "gate g0 a, b { cx a, b; }"]
    for level in range(1, levels + 1):
        lines.append(f"gate g{level} a, b {{ g{level - 1} a, b; g{level - 1} b, a; }}")
    lines += ["qreg q[2];", f"g{levels} q[0], q[1];"]
    return "\n".join(lines) + "\n"


def _ghz(n: int) -> str:
    body = "".join(f"cx q[{i}],q[{i + 1}];\n" for i in range(n - 1))
    head = f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];\ncreg c[{n}];\nh q[0];\n'
    return f"{head}{body}measure q -> c;\n"


CIRCUITS: dict[str, tuple[str | bytes, int]] = {
    "nested-30": (_nested_gates(30), 2),
    "huge-register": ('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1000000000];\nh q[0];\n', 2),
    "not-qasm": ("hello world\n", 2),
    "binary": (bytes(range(256)), 2),
    "empty": ("", 2),
    "unknown-gate": ("OPENQASM 2.0;\nqreg q[2];\nfoo q[0];\n", 2),
    "control-flow": (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[1] c;\nh q[0];\n'
        "c[0] = measure q[0];\nif (c[0]) { x q[1]; }\n",
        2,
    ),
    "too-wide": (_ghz(200), 2),
    "many-gates": (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n' + "cx q[0],q[1];\n" * 300_000,
        2,
    ),
}


def _circuit_cases(folder: Path) -> Iterator[Case]:
    for name, (text, code) in CIRCUITS.items():
        path = folder / f"circuit-{name}.qasm"
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        yield Case(f"circuit:{name}", ("place", str(path), "fake_lagos"), (code,), CIRCUIT_SECONDS)
    qpy = folder / "circuit-bad.qpy"
    qpy.write_bytes(b"QISKIT" + bytes(100))
    yield Case("circuit:bad-qpy", ("place", str(qpy), "fake_lagos"), (2,), CIRCUIT_SECONDS)
    ghz100 = folder / "ghz100.qasm"
    ghz100.write_text(_ghz(100), encoding="utf-8")
    yield Case("circuit:ghz100-all", ("place", str(ghz100), "--all"), (0, 2), CIRCUIT_SECONDS)


# -- outputs and pictures ------------------------------------------------------------------------


def _output_cases(folder: Path) -> Iterator[Case]:
    hostile_name = folder / "raw-control-chars-in-name.json"
    for fmt in ("table", "plain", "csv", "markdown", "legacy", "html", "json"):
        out = str(folder / f"out-escape.{fmt}")
        yield Case(
            f"output:escape-{fmt}",
            ("monitor", str(hostile_name), "-f", fmt, "-o", out),
            (0,),
            output=out,
        )
    for picture in ("map", "plot", "report"):
        suffix = "html" if picture == "report" else "svg"
        out = str(folder / f"picture-{picture}.{suffix}")
        yield Case(
            f"picture:escape-{picture}", (picture, str(hostile_name), "-o", out), (0, 2), output=out
        )
    zero = folder / "props-readout-all-zero" / "props_lagos.json"
    for picture in ("map", "report"):
        suffix = "html" if picture == "report" else "svg"
        out = str(folder / f"zero-{picture}.{suffix}")
        yield Case(
            f"picture:all-zero-readout-{picture}", (picture, str(zero), "-o", out), (0,), output=out
        )
    huge = folder / "props-t1-1e308" / "props_lagos.json"
    out = str(folder / "huge-t1.svg")
    yield Case(
        "picture:t1-1e308", ("map", str(huge), "--qubit-metric", "t1", "-o", out), (0,), output=out
    )


# -- issue 20, the live client and the outputs ---------------------------------------------------

#: The API key of the redaction cases (set as QISKIT_IBM_TOKEN): never shown in any form.
HOSTILE_KEY = "qpumon-hostile-Secret-key-0123456789abcdef"


def _key_forms(key: str) -> dict[str, str]:
    """``key`` as a careless service (or a user's paste) could echo it."""
    import base64
    import re
    from urllib.parse import quote, quote_plus

    data = key.encode()
    forms = {
        "raw": key,
        "percent-upper": "".join(f"%{b:02X}" for b in data),
        "percent-lower": "".join(f"%{b:02x}" for b in data),
        "percent-quote-lower": re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(key)),
        "form": quote_plus(key + " x"),
        "json-u": "".join(f"\\u{ord(c):04x}" for c in key),
        "json-solidus": key.replace("-", "\\/"),
        "split-by-escapes": "".join(
            f"%{ord(c):02x}" if i % 3 == 0 else f"\\u{ord(c):04X}" if i % 3 == 1 else c
            for i, c in enumerate(key)
        ),
        "shortened": key[:20] + "...",
    }
    for offset in range(3):
        blob = b"\x00" * offset + data + b"tail"
        forms[f"base64-offset-{offset}"] = base64.b64encode(blob).decode()
        forms[f"base64url-offset-{offset}"] = base64.urlsafe_b64encode(blob).decode().rstrip("=")
    return forms


def _live_client_and_outputs_cases(folder: Path) -> Iterator[Case]:
    """Issue 20's classes that run without a service: the key in every encoding echoed back in
    an error (redaction), device names longer than 255 bytes (refused, exit 2), and ``-o -``
    (standard output, no file named ``-``). Listed names, service caps, loopback spellings and
    webhook ids need a service or a server: tests/live, tests/serve and tests/history."""
    env = {"QISKIT_IBM_TOKEN": HOSTILE_KEY}
    for name, form in _key_forms(HOSTILE_KEY).items():
        absent = (HOSTILE_KEY, form) if name != "shortened" else (HOSTILE_KEY[:20],)
        yield Case(f"redaction:{name}", ("monitor", f"{form}.json"), (2,), env=env, absent=absent)
        out = str(folder / f"redaction-{name}.svg")
        yield Case(
            f"redaction:{name}-map",
            ("map", f"x{form}.json", "-o", out),
            (2,),
            output=out,
            env=env,
            absent=absent,
        )
    long_names = {
        "ascii-300": "ibm_" + "a" * 296,
        "bundled-like-256": "fake_" + "f" * 251,
        "utf8-258": "ibm_" + "é" * 127,
        "file-like-300": "x" * 295 + ".json",
    }
    for label, long_name in long_names.items():
        for command in ("monitor", "overview", "best"):
            yield Case(f"long-name:{label}-{command}", (command, long_name), (2,))
        out = str(folder / f"long-{label}.svg")
        yield Case(f"long-name:{label}-map", ("map", long_name, "-o", out), (2,), output=out)
    yield Case("long-name:offline", ("monitor", "--offline", long_names["ascii-300"]), (2,))
    yield Case("long-name:255-is-a-name", ("monitor", "--offline", "ibm_" + "a" * 251), (2,))
    for args in (
        ("monitor", "fake_lagos", "-f", "csv"),
        ("monitor", "fake_lagos", "-f", "json"),
        ("overview", "fake_lagos", "-f", "markdown"),
        ("list", "-f", "csv"),
        ("map", "fake_lagos"),
        ("report", "fake_lagos"),
        ("grafana-dashboard",),
    ):
        yield Case(f"output-dash:{'-'.join(args[:2])}", (*args, "-o", "-"), (0,))


# -- issue 20, validation at the edge of every reader ------------------------------------------


def _edge_documents() -> dict[str, tuple[Any, tuple[Any, ...], tuple[Any, ...]]]:
    """Real documents of each reader with the path of a time and of an uncertainty."""
    from tests.vendors.conftest import IONQ_FIXTURE
    from tests.vendors.test_braket import ionq_v3_capabilities, rigetti_v2

    braket = json.loads(rigetti_v2().json())
    qid = next(iter(braket["oneQubitProperties"]))
    return {
        "braket": (
            braket,
            ("oneQubitProperties", qid, "T1", "value"),
            ("oneQubitProperties", qid, "T1", "standardError"),
        ),
        "braket-v3": (
            ionq_v3_capabilities(),
            ("standardized", "twoQubitGateDuration", "value"),
            ("standardized", "T1", "standardError"),
        ),
        "ionq": (
            json.loads(IONQ_FIXTURE.read_text(encoding="utf-8")),
            ("timing", "t1"),
            ("fidelity", "2q", "stderr"),
        ),
        "ibm": (
            _bundled("lagos", "props"),
            ("qubits", 0, 0, "value"),
            ("gates", 0, "parameters", 0, "value"),
        ),
    }


#: Number texts no reader may take: non-finite, negative where impossible, overlong.
EDGE_NUMBERS = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "overflow": "1e999",
    "negative": "-1.5",
    "digits-5000": "9" * 5000,
    "digits-401": "1" + "0" * 400,
    "float-401-digits": "1" + "0" * 400 + ".5",
}
#: Dates no calibration can have (ISO text; IonQ's v0.3 seconds for the epoch ones).
EDGE_DATES = {
    "year-5138": '"5138-11-16T09:46:40Z"',
    "year-1989": '"1989-12-31T23:59:59Z"',
    "year-1-offset": '"0001-01-01T00:00:00+01:00"',
    "year-9999-offset": '"9999-12-31T23:00:00-05:00"',
    "epoch-5138": "99999999999",
}


def _edge_validation_cases(folder: Path, snapshot: dict[str, Any]) -> Iterator[Case]:
    """Issue 20's edge validation: every reader (Amazon Braket v2/v3, IonQ, IBM, qpumon's own
    snapshot, circuits, command-line values) refuses non-finite, negative, overlong numbers,
    impossible dates, deep nesting and documents larger than what they describe, with one line
    and exit 2; ``record`` stores none of them."""
    edge = folder / "edge"
    edge.mkdir()
    conf = _bundled("lagos", "conf")
    db = str(edge / "edge.db")

    def write(name: str, text: str) -> str:
        path = edge / name / "props_lagos.json" if name.startswith("ibm") else edge / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.startswith("ibm"):
            (path.parent / "conf_lagos.json").write_text(json.dumps(conf), encoding="utf-8")
        path.write_text(text, encoding="utf-8")
        return str(path)

    documents = _edge_documents()
    for reader, (doc, time_path, error_path) in documents.items():
        name = f"ibm-{reader}" if reader == "ibm" else reader
        yield Case(
            f"edge-control:{reader}", ("monitor", write(f"{name}-ok.json", json.dumps(doc))), (0,)
        )
        for label, literal in EDGE_NUMBERS.items():
            for what, path in (("time", time_path), ("uncertainty", error_path)):
                text = with_literal(doc, path, literal)
                file = write(f"{name}-{what}-{label}.json", text)
                yield Case(f"edge-number:{reader}-{what}-{label}", ("monitor", file, "-f", "json"))
        nan = write(f"{name}-record-nan.json", with_literal(doc, time_path, "NaN"))
        yield Case(f"edge-number:{reader}-record-nan", ("record", nan, "--db", db))
        negative = write(f"{name}-record-negative.json", with_literal(doc, time_path, "-1"))
        yield Case(f"edge-number:{reader}-record-negative", ("record", negative, "--db", db))
    for label, literal in EDGE_NUMBERS.items():
        text = with_literal(snapshot, ("qubits", 0, "t1_us"), literal)
        yield Case(f"edge-number:snapshot-{label}", ("monitor", write(f"snap-{label}.json", text)))

    ionq, ibm = documents["ionq"][0], documents["ibm"][0]
    for label, literal in EDGE_DATES.items():
        if not label.startswith("epoch"):
            text = with_literal(ibm, ("last_update_date",), literal)
            yield Case(f"edge-date:ibm-{label}", ("monitor", write(f"ibm-date-{label}.json", text)))
            text = with_literal(ibm, ("gates", 0, "parameters", 0, "date"), literal)
            yield Case(
                f"edge-date:ibm-gate-{label}", ("monitor", write(f"ibm-gdate-{label}.json", text))
            )
            text = with_literal(snapshot, ("calibrated_at",), literal)
            yield Case(
                f"edge-date:snapshot-{label}", ("monitor", write(f"snap-date-{label}.json", text))
            )
        text = with_literal(ionq, ("date",), literal)
        yield Case(f"edge-date:ionq-{label}", ("monitor", write(f"ionq-date-{label}.json", text)))

    odd_names: tuple[tuple[str, Any], ...] = (("object", {"a": 1}), ("array", ["T1"]))
    for label, odd in odd_names:
        props = copy.deepcopy(ibm)
        props["qubits"][0][0]["name"] = odd
        yield Case(
            f"edge-ibm-name:{label}",
            ("monitor", write(f"ibm-name-{label}.json", json.dumps(props))),
        )

    from tests.vendors.test_braket import iqm_response

    response = iqm_response()
    nested = {**response, "deviceCapabilities": "[" * 100_000 + "]" * 100_000}
    yield Case(
        "edge-nesting:capabilities-100000", ("monitor", write("caps-deep.json", json.dumps(nested)))
    )
    text = with_literal(ibm, ("backend_name",), "[" * 1000 + '"x"' + "]" * 1000)
    yield Case("edge-nesting:ibm-id-1000", ("monitor", write("ibm-deep-id.json", text)))
    text = with_literal(snapshot, ("name",), '{"a":' * 1000 + "1" + "}" * 1000)
    yield Case("edge-nesting:snapshot-name-1000", ("monitor", write("snap-deep.json", text)))
    text = with_literal(ionq, ("id",), "[" * 65 + "]" * 65)
    yield Case("edge-nesting:ionq-65", ("monitor", write("ionq-deep.json", text)))

    for label, qid in (
        ("superscript", "\u00b2"),
        ("digits-5000", "9" * 5000),
        ("arabic", "\u0663"),
    ):
        braket = copy.deepcopy(documents["braket"][0])
        first = next(iter(braket["oneQubitProperties"]))
        braket["oneQubitProperties"][qid] = braket["oneQubitProperties"].pop(first)
        yield Case(
            f"edge-qubit-id:braket-{label}",
            ("monitor", write(f"braket-id-{label}.json", json.dumps(braket))),
            (0, 2),
        )

    braket = copy.deepcopy(documents["braket"][0])
    entry = next(iter(braket["oneQubitProperties"].values()))
    entry["oneQubitFidelity"] = entry["oneQubitFidelity"] * 200_000
    yield Case(
        "edge-size:braket-fidelities-per-qubit",
        ("monitor", write("braket-many.json", json.dumps(braket))),
    )
    braket["oneQubitProperties"] = {
        str(i): next(iter(documents["braket"][0]["oneQubitProperties"].values()))
        for i in range(100_000)
    }
    braket["twoQubitProperties"] = {}
    yield Case(
        "edge-size:braket-100000-qubits",
        ("monitor", write("braket-qubits.json", json.dumps(braket))),
    )
    many_pairs = {**ionq, "connectivity": [[0, 1]] * 1_000_000}
    yield Case(
        "edge-size:ionq-pairs", ("monitor", write("ionq-pairs.json", json.dumps(many_pairs)))
    )
    values = edge / "values.json"
    values.write_bytes(b"[" + b"0," * 17_000_000 + b"0]")
    yield Case("edge-size:17-million-values", ("monitor", str(values)))
    # Containers cost ten times a number's memory and hold no comma when nested one in another:
    # 2.2 million in 4 MB (as many one-key objects made the parser crash under 4 GB, exit 139).
    boxes = edge / "containers.json"
    boxes.write_bytes(b"[" + b",".join([b"[" * 10 + b"]" * 10] * 220_000) + b"]")
    yield Case("edge-size:2-million-nested-containers", ("monitor", str(boxes)))

    for label, literal in (("superscript", "\u00b2"), ("digits-5000", "9" * 5000)):
        qasm = edge / f"register-{label}.qasm"
        qasm.write_text(
            f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{literal}];\n', encoding="utf-8"
        )
        yield Case(
            f"edge-circuit:register-{label}",
            ("place", str(qasm), "fake_lagos"),
            (2,),
            CIRCUIT_SECONDS,
        )
    qasm = edge / "hardware-digits.qasm"
    qasm.write_text(f'OPENQASM 3.0;\ninclude "stdgates.inc";\nh ${"9" * 5000};\n', encoding="utf-8")
    yield Case(
        "edge-circuit:hardware-qubit-digits",
        ("place", str(qasm), "fake_lagos"),
        (2,),
        CIRCUIT_SECONDS,
    )

    for label, qubit in (
        ("20-digits", "9" * 20),
        ("superscript", "\u00b2"),
        ("arabic", "\u0663"),
        ("negative", "-1"),
        ("float", "1.0"),
    ):
        yield Case(
            f"edge-option:history-qubit-{label}",
            ("history", "fake_lagos", "--qubit", qubit, "--db", db),
        )


# -- bounded work: place, best and the pictures (issue 20) ----------------------------------


def _alternating_cx(gates: int) -> str:
    """CX alternating between (0, 1) and (1, 2) on three qubits: the commuting runs that made
    translation quadratic."""
    body = "cx q[0],q[1];\ncx q[1],q[2];\n" * (gates // 2)
    return f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\n{body}'


def _random_three_qubit(gates: int) -> str:
    import random

    rng = random.Random(20)
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', "qreg q[3];"]
    for _ in range(gates):
        a, b = rng.sample(range(3), 2)
        lines.append(rng.choice([f"cx q[{a}],q[{b}];", f"h q[{a}];", f"t q[{a}];"]))
    return "\n".join(lines) + "\n"


def _device_file(folder: Path, name: str, n: int, edges: list[tuple[int, int]]) -> str:
    """A qpumon snapshot of ``n`` qubits, couplers ``edges`` (CX both ways), no coords."""
    from qpumon.model import DeviceSnapshot, GateCalibration, QubitCalibration
    from qpumon.model.serialize import dumps

    snapshot = DeviceSnapshot(
        name=name,
        num_qubits=n,
        source=f"generated:{name}",
        basis_gates=("cx", "rz", "sx", "x"),
        coupling_edges=tuple(e for a, b in edges for e in ((a, b), (b, a))),
        qubits=tuple(
            QubitCalibration(i, t1_us=50.0 + (i * 37) % 250, readout_error=0.01 + (i % 50) / 1e3)
            for i in range(n)
        ),
        gates=tuple(
            GateCalibration("cx", pair, 0.002 + 0.0001 * (k % 90), 300.0)
            for k, (a, b) in enumerate(edges)
            for pair in ((a, b), (b, a))
        ),
    )
    path = folder / f"{name}.json"
    path.write_text(dumps(snapshot), encoding="utf-8")
    return str(path)


def _grid(side: int) -> list[tuple[int, int]]:
    cells = [(x, y) for y in range(side) for x in range(side)]
    right = [(y * side + x, y * side + x + 1) for x, y in cells if x + 1 < side]
    return right + [(y * side + x, (y + 1) * side + x) for x, y in cells if y + 1 < side]


def _bounded_work_cases(folder: Path) -> Iterator[Case]:
    """Inputs whose work used to grow without bound: each ends within the issue's 20 s."""
    work = folder / "work"
    work.mkdir()

    def circuit(name: str, text: str) -> str:
        path = work / f"{name}.qasm"
        path.write_text(text, encoding="utf-8")
        return str(path)

    long_narrow = circuit("alternating-200000", _alternating_cx(200_000))
    yield Case("work:place-200000-cx-3-qubits", ("place", long_narrow, "fake_lagos"))
    yield Case(
        "work:place-200000-cx-max-seconds",
        ("place", long_narrow, "fake_lagos", "--max-seconds", "5"),
    )
    random_3q = circuit("random-200000", _random_three_qubit(200_000))
    yield Case("work:place-200000-random-3-qubits", ("place", random_3q, "fake_lagos"))
    within = circuit("alternating-4000", _alternating_cx(4_000))  # within the bound, 6 s of work
    yield Case(
        "work:place-max-seconds-inside-translation",
        ("place", within, "fake_lagos", "--max-seconds", "0.5"),
    )
    yield Case("work:place-4000-cx-on-all-families", ("place", within, "--all"))
    star = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[21];\n' + "".join(
        f"cx q[0],q[{t}];\n" for t in range(1, 21)
    )
    yield Case(
        "work:place-mapomatic-star-all",
        ("place", circuit("star", star), "--all", "--cost-model", "mapomatic"),
        (0, 2),
    )
    one_coupler = _device_file(work, "free20000-one", 20_000, [(0, 1)])
    free = _device_file(work, "free20000", 20_000, [])
    grid = _device_file(work, "grid10000", 10_000, _grid(100))
    for label, device in (("one-coupler", one_coupler), ("no-couplers", free), ("grid", grid)):
        out = str(work / f"map-{label}.svg")
        yield Case(f"work:map-{label}", ("map", device, "-o", out), (0,), output=out)
    out = str(work / "plot-grid.svg")
    yield Case("work:plot-grid", ("plot", grid, "-o", out), (0,), output=out)
    yield Case("work:best-any-60-on-grid", ("best", grid, "-n", "60", "--shape", "any"))
    yield Case("work:best-any-16-on-fez", ("best", "fake_fez", "-n", "16", "--shape", "any"))
    yield Case("work:best-5000-line-on-grid", ("best", grid, "-n", "5000"))


def build(folder: Path) -> list[Case]:
    """Write the corpus into ``folder`` (empty) and return its cases."""
    from qpumon.reports.formats import render
    from qpumon.reports.monitor import build_monitor
    from qpumon.sources import resolve

    snapshot = json.loads(render(build_monitor(resolve("fake_lagos")), "json"))["snapshot"]
    cases: list[Case] = []
    cases += _write_props_cases(folder)
    cases += _write_raw_cases(folder)
    cases += _write_snapshot_cases(folder, snapshot)
    cases += _argument_cases(folder)
    cases += _rules_cases(folder)
    cases += _circuit_cases(folder)
    cases += _output_cases(folder)
    cases += _live_client_and_outputs_cases(folder)
    cases += _edge_validation_cases(folder, snapshot)
    cases += _bounded_work_cases(folder)
    return cases
