"""Layer fidelity ``LF_N`` against chain length N, with IBM's error per layered gate (EPLG).

Drawn from the model's ``layer_fidelities`` (recent IBM devices measure them on chains of 2 to 100
qubits); EPLG_N = 4/5 · (1 - LF_N^(1/(N-1))) is marked at N = 100, the length IBM quotes.
"""

from __future__ import annotations

from typing import Any

from ..errors import NoCalibrationError
from ..model import DeviceSnapshot
from ..model.summary import EPLG_CHAIN
from .mpl import drawn, new_figure


def layer_fidelity_figure(snapshot: DeviceSnapshot, size: tuple[float, float] = (9.0, 3.6)) -> Any:
    """Two panels: LF_N (log scale) and EPLG_N against N. Raises if the data has no LF."""
    points = sorted(snapshot.layer_fidelities, key=lambda lf: lf.num_qubits)
    if not points:
        raise NoCalibrationError(f"{snapshot.name} has no layer fidelity data")
    figure = new_figure(*size)
    lf_axes, eplg_axes = figure.subplots(1, 2)
    chain = [p.num_qubits for p in points]
    lf_axes.plot(chain, [p.fidelity for p in points], marker="o", markersize=3, gid="lf-curve")
    lf_axes.set(
        xlabel="chain length N (qubits)",
        ylabel="layer fidelity LF_N",
        yscale="log",
        title=drawn(f"{snapshot.name}: layer fidelity"),
    )
    with_eplg = [(p.num_qubits, p.eplg) for p in points if p.eplg is not None]
    eplg_axes.plot(
        [n for n, _ in with_eplg],
        [e for _, e in with_eplg],
        marker="o",
        markersize=3,
        color="tab:orange",
        gid="eplg-curve",
    )
    eplg_axes.set(xlabel="chain length N (qubits)", ylabel="EPLG_N", title="error per layered gate")
    quoted = next((p for p in points if p.num_qubits == EPLG_CHAIN and p.eplg is not None), None)
    if quoted is not None and quoted.eplg is not None:
        eplg_axes.axhline(quoted.eplg, color="#d6007e", linewidth=1, linestyle="--")
        eplg_axes.annotate(
            f"EPLG_{EPLG_CHAIN} = {quoted.eplg:.3g}",
            (EPLG_CHAIN, quoted.eplg),
            textcoords="offset points",
            xytext=(-110, 8),
            color="#d6007e",
        )
    for axes in (lf_axes, eplg_axes):
        axes.grid(alpha=0.3)
    return figure
