"""Every bound on the work of ``best`` and ``place``, in one place.

Inputs beyond a size limit are refused before they are parsed or expanded
(:class:`~qpumon.errors.InputTooLargeError`, naming the file and the limit). Searches that reach a
work limit stop with their best layouts so far, marked truncated; a search that reaches the
caller's ``max_seconds`` stops with a :class:`~qpumon.errors.LimitExceededError` saying what to
change.
"""

from __future__ import annotations

#: Largest circuit file read (OpenQASM or QPY), in bytes; larger files are refused unread.
MAX_CIRCUIT_FILE_BYTES = 8 * 1024 * 1024
#: Most qubits, and most classical bits, a circuit may declare; checked in the text before parsing.
MAX_CIRCUIT_QUBITS = 16_384
#: Most operations a circuit may hold once its gate definitions are expanded to standard gates.
MAX_CIRCUIT_OPERATIONS = 200_000
#: Work of translating a circuit, in units of about one operation (some 0.2 ms each at
#: optimization level 3): its operations once expanded, plus the commutation checks Qiskit's
#: CommutativeCancellation may make, which grow with the square of the operations on one qubit
#: (a run of mutually commuting gates is checked pair by pair: 4,000 alternating CX on three
#: qubits took 6 s, 200,000 took hours), :data:`COMMUTATION_CHECKS_PER_UNIT` to a unit.
#: One ``place`` call may spend this much on all its translations together: one per basis
#: family, and with the ``mapomatic`` model one per device; beyond it the circuit is refused
#: before any translation (about 10 s of work at most).
MAX_TRANSLATION_WORK = 50_000
#: Commutation checks (operations on a qubit, squared, summed over qubits) per unit of work.
COMMUTATION_CHECKS_PER_UNIT = 1_000
#: Deepest nesting of gate definitions (a gate whose body calls a gate whose body calls ...).
MAX_DEFINITION_DEPTH = 16

#: Most complete layouts scored exactly on one device; the search stops there, truncated.
DEFAULT_MAX_LAYOUTS = 1_000_000
#: Work (partial layouts made, layouts scored) of one `best` or `place` call, shared by its devices;
#: a search that reaches its share stops with its best so far, truncated.
MAX_SEARCH_NODES = 8_000_000
#: Paths extended at most by the search for any one chain of a path circuit (each costs a pass
#: over the free region, ~30 µs on a 156-qubit device; proving that fake_quebec has no 100-qubit
#: chain takes 98,661); past it, the device's search is truncated.
MAX_CHAIN_STEPS = 120_000
#: Most search table cells (circuit qubits × (device qubits + 2 × couplers)) for one device; a
#: device beyond it is skipped with the reason (a dense n × n table is never built).
MAX_SEARCH_CELLS = 1 << 23
#: Work of the search that decides whether a shape occurs in a coupling graph at all (to say
#: why nothing was found); undecided counts as "it occurs".
MAX_SHAPE_NODES = 200_000
#: Layouts scored per NumPy slice: memory stays flat however many layouts there are.
SCORE_CHUNK_ROWS = 16_384
#: Cells (rows × circuit qubits) of one slice of partial layouts in the search.
SEARCH_CHUNK_CELLS = 1 << 18

#: Connected sets enumerated at most for ``best --shape any``.
MAX_CONNECTED_SETS = 200_000
#: Work of that enumeration: qubits its steps copy (about 1 µs each; each set costs more the
#: larger it is: 200,000 sets of 60 qubits on a 10,000-qubit grid took 110 s; all 196,801 sets
#: of 16 qubits on fake_fez copy 17 million, all 19,713 of 12 qubits 1.3 million); beyond it,
#: ``best`` stops, saying so.
MAX_CONNECTED_SET_WORK = 5_000_000
