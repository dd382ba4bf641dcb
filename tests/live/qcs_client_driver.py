"""Run by the Rigetti contract test inside its own environment (qcs-api-client cannot install
beside qpumon: it pins httpx < 0.29). Reads the account's processors and ISAs with the official
client only, as its documentation shows (configuration from the QCS settings and secrets files
and the ``QCS_*`` variables, sequential calls), and prints what it read as JSON on stdout:
``{"api_url", "processors": {id: [[operation, node_ids, name, value, error, timestamp], ...]}}``.
Imports nothing of qpumon."""

from __future__ import annotations

import json
import sys
from typing import Any


def main() -> None:
    """Print what the official client reads."""
    from qcs_api_client.client import ClientConfiguration, build_sync_client
    from qcs_api_client.operations.sync import (
        get_instruction_set_architecture,
        list_quantum_processors,
    )

    configuration = ClientConfiguration.load_default()
    out: dict[str, Any] = {"api_url": str(configuration.api_url), "processors": {}}
    with build_sync_client(configuration=configuration) as client:
        listed = list_quantum_processors(client=client, page_size=100).parsed
        for processor in listed.quantum_processors:
            isa = get_instruction_set_architecture(processor.id, client=client).parsed
            rows = []
            for operation in [*isa.instructions, *isa.benchmarks]:
                for site in operation.sites:
                    for c in site.characteristics:
                        nodes = c.node_ids if isinstance(c.node_ids, list) else site.node_ids
                        error = c.error if isinstance(c.error, float | int) else None
                        rows.append(
                            [operation.name, list(nodes), c.name, c.value, error, str(c.timestamp)]
                        )
            nodes = [n.node_id for n in isa.architecture.nodes]
            out["processors"][processor.id] = {"rows": rows, "nodes": nodes}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
