"""``/metrics``: the fleet in Prometheus's text exposition format, from a custom collector.

Names come from the metric registry (:attr:`qpumon.metrics.Metric.prometheus_name`), values are
in base units (seconds, hertz, ratios), and qubits and gates are labels, never parts of a name:
``qpumon_qubit_t1_seconds{device="fake_fez",qubit="0"}``,
``qpumon_gate_error_ratio{device="fake_fez",gate="cz",qubits="3_4"}``. A gate carrying IBM's
``error = 1`` flag has no error sample (so that quantiles over a device stay measurements) and
``qpumon_gate_flagged`` 1. Values given for a whole device (``qpumon_device_2q_error_ratio``)
carry their definition as a label. A stale device keeps its last values; ``qpumon_source_up``
says 0.

The text is drawn once per published view (:func:`exposition`) and served as it is.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.registry import CollectorRegistry

from ..definitions import to_average
from ..metrics import DEVICE_METRICS, GATE_ERROR, GATE_LENGTH, QUBIT_METRICS
from ..model import DeviceSnapshot, GateCalibration
from ..summary import eplg
from .state import DeviceState

#: The exposition format served (text 0.0.4: what every Prometheus reads).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
#: gzip level of the compressed copy (Prometheus asks for gzip).
GZIP_LEVEL = 6
_GATE_LABELS = ("device", "gate", "qubits")


def exposition(states: Sequence[DeviceState]) -> tuple[bytes, bytes]:
    """The exposition of ``states``, plain and gzip-compressed."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(states))
    text = generate_latest(registry)
    return text, gzip.compress(text, GZIP_LEVEL, mtime=0)


class FleetCollector:
    """A prometheus_client collector over the devices' latest snapshots."""

    def __init__(self, states: Sequence[DeviceState]) -> None:
        self.states = list(states)
        self.snapshots = [s.snapshot for s in self.states if s.snapshot is not None]

    def describe(self) -> list[Metric]:
        """Nothing to check for clashes: this collector is alone in its registry."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Every family: qubits, gates, devices, then the collector's own."""
        yield from self._qubits()
        yield from self._gates()
        yield from self._devices()
        yield from self._collector()

    def _qubits(self) -> Iterator[Metric]:
        for key, metric in QUBIT_METRICS.items():
            family = GaugeMetricFamily(
                metric.prometheus_name,
                f"{metric.label}: {metric.description} ({metric.base_unit})",
                labels=("device", "qubit"),
            )
            factor = metric.to_base
            for snapshot in self.snapshots:
                for qubit in snapshot.qubits:
                    value = getattr(qubit, key)
                    if value is not None:
                        family.add_metric((snapshot.name, str(qubit.index)), value * factor)
            yield family

    def _gates(self) -> Iterator[Metric]:
        error = _gauge(
            GATE_ERROR.prometheus_name,
            "gate error as an average gate infidelity 1 - F_avg (other definitions converted "
            "where a formula exists; IBM's error = 1 flags left out)",
        )
        length = _gauge(GATE_LENGTH.prometheus_name, f"gate duration ({GATE_LENGTH.base_unit})")
        flagged = _gauge(
            "qpumon_gate_flagged", "1 if IBM flags the gate's benchmark as failed (error = 1)"
        )
        for snapshot in self.snapshots:
            for gate in snapshot.gate_index.values():
                labels = (snapshot.name, gate.gate, "_".join(map(str, gate.qubits)))
                value = _average_error(gate)
                if value is not None:
                    error.add_metric(labels, value)
                if gate.length_ns is not None:
                    length.add_metric(labels, gate.length_ns * GATE_LENGTH.to_base)
                flagged.add_metric(labels, 1.0 if gate.failed else 0.0)
        yield from (error, length, flagged)

    def _devices(self) -> Iterator[Metric]:
        pending = _device_gauge("qpumon_device_pending_jobs", "jobs waiting in the device's queue")
        up = _device_gauge("qpumon_device_operational", "1 if the device says it is operational")
        when = _device_gauge(
            "qpumon_device_calibration_timestamp_seconds", "when the calibration was published"
        )
        layered = _device_gauge(
            "qpumon_device_eplg_ratio", "error per layered gate of the 100-qubit chain (EPLG)"
        )
        info = GaugeMetricFamily(
            "qpumon_device_info",
            "the device's vendor, processor and version (always 1)",
            labels=("device", "vendor", "processor", "version"),
        )
        for snapshot in self.snapshots:
            name = (snapshot.name,)
            _status(snapshot, pending, up)
            if snapshot.calibrated_at is not None:
                when.add_metric(name, snapshot.calibrated_at.timestamp())
            value = eplg(snapshot)
            if value is not None:
                layered.add_metric(name, value)
            info.add_metric((*name, *_info(snapshot)), 1.0)
        yield from (pending, up, when, layered, info)
        yield from self._device_values()

    def _device_values(self) -> Iterator[Metric]:
        """The values a source gives for the whole device (Quantinuum's, IonQ's), as given:
        ``definition`` says what an error means (no conversion: most have no formula)."""
        for key, metric in DEVICE_METRICS.items():
            family = GaugeMetricFamily(
                metric.prometheus_name,
                f"{metric.label} of the whole device: {metric.description} "
                f"({metric.base_unit or 'count'}; the definition label says what it means)",
                labels=("device", "definition"),
            )
            for snapshot in self.snapshots:
                found = snapshot.device_value(key)
                if found is not None:
                    labels = (snapshot.name, found.definition or "")
                    family.add_metric(labels, found.value * metric.to_base)
            yield family

    def _collector(self) -> Iterator[Metric]:
        duration = _device_gauge(
            "qpumon_collect_duration_seconds", "how long the device's last fetch or load took"
        )
        errors = CounterMetricFamily(
            "qpumon_collect_errors", "fetches or loads of the device that failed", labels=["device"]
        )
        source_up = _device_gauge(
            "qpumon_source_up", "1 if the device's last fetch succeeded, 0 if it failed (stale)"
        )
        for state in self.states:
            name = (state.name,)
            if state.duration_s is not None:
                duration.add_metric(name, state.duration_s)
            errors.add_metric(name, float(state.errors_total))
            source_up.add_metric(name, 1.0 if state.up else 0.0)
        yield from (duration, errors, source_up)


def _gauge(name: str, documentation: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=_GATE_LABELS)


def _device_gauge(name: str, documentation: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=("device",))


def _status(snapshot: DeviceSnapshot, pending: GaugeMetricFamily, up: GaugeMetricFamily) -> None:
    status = snapshot.status
    if status is None:
        return
    up.add_metric((snapshot.name,), 1.0 if status.operational else 0.0)
    if status.pending_jobs is not None:
        pending.add_metric((snapshot.name,), float(status.pending_jobs))


def _info(snapshot: DeviceSnapshot) -> Iterable[str]:
    return (snapshot.vendor, snapshot.processor or "", snapshot.backend_version or "")


def _average_error(gate: GateCalibration) -> float | None:
    """The gate's error as an average gate infidelity (as the overview compares errors); None
    for a flag, a missing error, or a definition no formula converts."""
    if gate.error is None or gate.failed:
        return None
    converted = to_average(gate.error, gate.definition, gate.arity)
    return None if converted is None else converted.value
