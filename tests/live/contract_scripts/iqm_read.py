"""Run by the contract test in iqm-client's own environment: what IQMClient reads from the
server in IQM_SERVER_URL (token in IQM_TOKEN), printed as JSON on stdout."""

import json
import sys
from uuid import UUID

from iqm.iqm_client import IQMClient


def main() -> None:
    """Read the default (or argv[1]) calibration set of garnet as iqm-client does."""
    set_id = UUID(sys.argv[1]) if len(sys.argv) > 1 else None
    client = IQMClient.from_url(quantum_computer="garnet")
    dqa = client.get_dynamic_quantum_architecture(set_id)
    finder = client.get_calibration_quality_metrics(set_id)
    calibration = client.get_calibration_set(set_id)
    qubits = list(dqa.qubits)
    t1, t2 = finder.get_coherence_times(qubits)
    gates = {name: info.default_implementation for name, info in dqa.gates.items()}
    prx, cz, measure = gates["prx"], gates["cz"], gates["measure"]
    read = {
        "calibration_set_id": str(dqa.calibration_set_id),
        "created": calibration.created_timestamp.isoformat(),
        "qubits": qubits,
        "implementations": {"prx": prx, "cz": cz, "measure": measure},
        "t1_s": t1,
        "t2_s": t2,
        "prx_fidelity": {q: finder.get_gate_fidelity("prx", prx, (q,)) for q in qubits},
        "prx_duration_s": {q: finder.get_gate_duration("prx", prx, (q,)) for q in qubits},
        "measure_errors": {q: finder.get_measure_errors("measure", measure, (q,)) for q in qubits},
        "cz_fidelity": {
            "__".join(locus): finder.get_gate_fidelity("cz", cz, tuple(locus))
            for locus in dqa.gates["cz"].implementations[cz].loci
        },
        "health": client.get_health(),
    }
    json.dump(read, sys.stdout, default=str)


if __name__ == "__main__":
    main()
