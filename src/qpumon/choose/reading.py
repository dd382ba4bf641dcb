"""Read a circuit file within stated limits (:mod:`.limits`), before anything expands it.

A circuit file is hostile input: a 1 KB OpenQASM file can declare ``qreg q[100000000]`` (the
parser allocates every qubit) or nest gate definitions 30 deep, each calling the previous twice
(2^30 gates once expanded). So a file is read at most :data:`~.limits.MAX_CIRCUIT_FILE_BYTES`
(``/dev/zero`` included); OpenQASM register sizes are checked in the text before parsing; and the
parsed circuit's definitions are counted, with the work of counting itself bounded, before any
translation expands them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CircuitError, InputError, InputTooLargeError
from ..model.validate import INDEX_DIGITS, index_text
from ..util.bounded import read_bounded
from ..util.printable import printable
from .limits import (
    COMMUTATION_CHECKS_PER_UNIT,
    MAX_CIRCUIT_FILE_BYTES,
    MAX_CIRCUIT_OPERATIONS,
    MAX_CIRCUIT_QUBITS,
    MAX_DEFINITION_DEPTH,
)

#: Files OpenQASM programs may include: the standard gate libraries only.
STANDARD_INCLUDES = frozenset({"qelib1.inc", "stdgates.inc"})
#: Operations never expanded when counting (directives and measurements).
DIRECTIVES = frozenset({"measure", "reset", "barrier", "delay"})

_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_INCLUDE = re.compile(r'\binclude\s+"([^"]*)"')
_OLD_REGISTER = re.compile(r"\b([qc])reg\s+[A-Za-z_]\w*\s*\[([^\]]*)\]")
_NEW_REGISTER = re.compile(r"\b(qubit|bit)\s*(?:\[([^\]]*)\])?\s+[A-Za-z_]\w*")
_HARDWARE_QUBIT = re.compile(r"\$([0-9]+)")


def read_circuit(path: str | Path) -> Any:
    """A ``QuantumCircuit`` from an OpenQASM 2 or 3 file or a QPY file, within the limits."""
    path = Path(path)
    where = printable(str(path))
    if not path.exists():
        raise CircuitError(f"{where}: no such circuit file")
    raw = _read_capped(path, where)
    if path.suffix.lower() == ".qpy":
        circuit = _read_qpy(raw, where)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CircuitError(f"{where}: not UTF-8 text ({exc.reason})") from exc
        check_declarations(text, where)
        circuit = parse_qasm(text, where)
        circuit.name = path.stem
    check_size(circuit, where)
    return circuit


def _read_capped(path: Path, where: str) -> bytes:
    try:
        raw = read_bounded(path, MAX_CIRCUIT_FILE_BYTES)
    except OSError as exc:
        raise CircuitError(f"{where}: cannot read ({exc.strerror or exc})") from exc
    if raw is None:
        raise InputTooLargeError(
            f"{where}: larger than {MAX_CIRCUIT_FILE_BYTES // (1024 * 1024)} MiB, the limit "
            "for a circuit file; split the circuit or give it as QPY"
        )
    return raw


def check_declarations(text: str, where: str) -> None:
    """Refuse, before parsing, includes of other files and registers beyond the qubit limit."""
    code = _COMMENTS.sub(" ", text)
    for name in _INCLUDE.findall(code):
        if name not in STANDARD_INCLUDES:
            raise CircuitError(
                f"{where}: includes {printable(name)!r}; only the standard "
                f"{' and '.join(sorted(STANDARD_INCLUDES))} may be included (paste the gates in)"
            )
    qubits = bits = 0
    for kind, size in _OLD_REGISTER.findall(code):
        count = _register_size(size, where)
        qubits, bits = (qubits + count, bits) if kind == "q" else (qubits, bits + count)
    for kind, size in _NEW_REGISTER.findall(code):
        count = _register_size(size, where) if size else 1
        qubits, bits = (qubits + count, bits) if kind == "qubit" else (qubits, bits + count)
    hardware = [
        _register_size(q, where, "hardware qubit $") + 1 for q in _HARDWARE_QUBIT.findall(code)
    ]
    qubits = max(qubits, *hardware) if hardware else qubits
    _check_width(qubits, bits, where)


def _register_size(size: str, where: str, what: str = "register size") -> int:
    try:  # ASCII digits, at most 9: ``²`` passes str.isdigit, 5,000 digits pass the regex
        return index_text(size, "")
    except InputError:
        raise CircuitError(
            f"{where}: {what} {printable(size.strip()[:40])!r} is not an integer literal of at "
            f"most {INDEX_DIGITS} digits; write it as a number"
        ) from None


def _check_width(qubits: int, bits: int, where: str) -> None:
    if qubits > MAX_CIRCUIT_QUBITS or bits > MAX_CIRCUIT_QUBITS:
        what = f"{qubits} qubits" if qubits > MAX_CIRCUIT_QUBITS else f"{bits} classical bits"
        raise InputTooLargeError(
            f"{where}: declares {what}; at most {MAX_CIRCUIT_QUBITS} of each can be placed"
        )


def parse_qasm(text: str, where: str = "<string>") -> Any:
    """A ``QuantumCircuit`` from OpenQASM 2 or 3 source (by its ``OPENQASM`` line)."""
    version = "3" if text.lstrip().startswith("OPENQASM 3") else "2"
    try:
        if version == "3":
            from qiskit import qasm3

            return qasm3.loads(text)
        from qiskit import qasm2

        return qasm2.loads(
            text, include_path=(), custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS
        )
    except Exception as exc:  # qasm2/qasm3 raise several unrelated exception types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CircuitError(
            f"{where}: not valid OpenQASM {version}: {printable(first[:300])}"
        ) from exc


def _read_qpy(raw: bytes, where: str) -> Any:
    from qiskit import qpy

    try:
        circuits = qpy.load(io.BytesIO(raw))
    except Exception as exc:  # QpyError, struct.error, ValueError on a damaged file
        raise CircuitError(f"{where}: not a valid QPY file ({printable(str(exc))[:300]})") from exc
    if len(circuits) != 1:
        raise CircuitError(f"{where}: holds {len(circuits)} circuits; give a file with exactly one")
    return circuits[0]


@dataclass(frozen=True)
class CircuitSize:
    """A circuit's operations once its definitions are expanded, the most on one qubit, and the
    work of translating it once (:data:`~.limits.MAX_TRANSLATION_WORK`)."""

    operations: int
    busiest_qubit: int
    translation_work: int


def check_size(circuit: Any, where: str | None = None) -> CircuitSize:
    """Refuse a circuit wider, larger or more deeply nested than the limits, before expansion;
    its size otherwise. Linear in the circuit: each gate definition is expanded once."""
    where = where or f"circuit {printable(str(circuit.name))!r}"
    _check_width(circuit.num_qubits, circuit.num_clbits, where)
    counter = _ExpansionCounter(where)
    index = {bit: i for i, bit in enumerate(circuit.qubits)}
    load = [0] * circuit.num_qubits
    total = 0
    for inst in circuit.data:
        size = counter.count(inst.operation, 1)
        total += size
        for bit in inst.qubits:  # a definition's gates may all act on any of its qubits
            load[index[bit]] += size
    if total > MAX_CIRCUIT_OPERATIONS:
        counter.too_many()
    checks = sum(n * n for n in load)
    return CircuitSize(total, max(load, default=0), total + checks // COMMUTATION_CHECKS_PER_UNIT)


class _ExpansionCounter:
    """Counts operations once gate definitions are expanded; stops as soon as a limit is passed."""

    def __init__(self, where: str) -> None:
        from qiskit.circuit.library import get_standard_gate_name_mapping

        self.where = where
        self.leaves = frozenset(get_standard_gate_name_mapping()) | DIRECTIVES
        self.known: dict[tuple[Any, ...], int] = {}
        self.visited = 0

    def count(self, operation: Any, depth: int) -> int:
        """Standard operations this one expands to (memoised per gate and parameters)."""
        self.visited += 1
        if self.visited > MAX_CIRCUIT_OPERATIONS:
            self.too_many()
        if operation.name in self.leaves:
            return 1
        if operation.name == "unitary":  # synthesised into about 4^n gates
            return int(4 ** min(operation.num_qubits, 16))
        key = (operation.name, operation.num_qubits, repr(getattr(operation, "params", ())))
        if key in self.known:
            return self.known[key]
        if depth > MAX_DEFINITION_DEPTH:
            raise InputTooLargeError(
                f"{self.where}: gate definitions nest more than {MAX_DEFINITION_DEPTH} levels deep "
                f"(at {printable(str(operation.name))!r}), the limit; flatten the definitions"
            )
        definition = operation.definition
        total = 1 if definition is None else 0
        for inst in [] if definition is None else definition.data:
            total += self.count(inst.operation, depth + 1)
            if total > MAX_CIRCUIT_OPERATIONS:
                self.too_many()
        self.known[key] = total
        return total

    def too_many(self) -> None:
        """Raise the error for a circuit beyond :data:`~.limits.MAX_CIRCUIT_OPERATIONS`."""
        raise InputTooLargeError(
            f"{self.where}: expands to more than {MAX_CIRCUIT_OPERATIONS:,} operations once its "
            "gate definitions are unrolled, the limit for placement; place a smaller circuit"
        )
