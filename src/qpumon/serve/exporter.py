"""``/metrics``: the fleet in Prometheus's text exposition format, from a custom collector.

Names come from the metric registry (:attr:`qpumon.model.metrics.Metric.prometheus_name`), values
are in base units (seconds, hertz, ratios), and qubits and gates are labels, never parts of a name:
``qpumon_qubit_t1_seconds{device="fake_fez",qubit="0"}``,
``qpumon_gate_error_ratio{device="fake_fez",gate="cz",qubits="3->4",definition="average"}``.

Every value keeps its definition, as in the JSON: a gate's error is the source's number with its
``definition`` label (Google's XEB per cycle stays XEB); a device's headline medians are exported
twice, as the source defines them (``qpumon_device_median_2q_error_ratio{definition}``) and as an
average gate infidelity (``qpumon_device_median_2q_error_avg_ratio{bound}``; ``bound`` is
``lower``/``upper`` where the conversion gives one). A gate carrying IBM's ``error = 1`` flag
has no error sample (so that quantiles over a device stay measurements) and
``qpumon_gate_flagged`` 1; a qubit or gate out of service has no value samples and
``qpumon_qubit_out_of_service``/``qpumon_gate_out_of_service`` 1. Failures are counted in
couplers per gate (``qpumon_device_failed_couplers{gate="cz"}`` of ``qpumon_device_couplers``;
the fractional RZZ has its own ``gate`` label). Values given for a whole device
(``qpumon_device_2q_error_ratio``) carry their definition as a label. A stale device keeps its
last values; ``qpumon_source_up`` says 0.

The text is drawn once per published view (:func:`exposition`) and served as it is. Under
``qpumon serve --rules`` each alert that holds is ``qpumon_alert_active`` 1
(:class:`AlertCollector`).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.registry import CollectorRegistry

from ..model import DeviceSnapshot
from ..model.metrics import DEVICE_METRICS, GATE_ERROR, GATE_LENGTH, QUBIT_METRICS
from ..model.summary import DeviceSummary, eplg, summarize
from ..model.vocabulary import coupler_text
from .state import DeviceState

#: The exposition format served (text 0.0.4: what every Prometheus reads).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
#: gzip level of the compressed copy (Prometheus asks for gzip).
GZIP_LEVEL = 6
_GATE_LABELS = ("device", "gate", "qubits")


def exposition(states: Sequence[DeviceState], alerting: bool = False) -> tuple[bytes, bytes]:
    """The exposition of ``states``, plain and gzip-compressed; with ``alerting`` (the server
    checks rules) their alerts too (:class:`AlertCollector`). A device whose snapshot cannot
    be exported is exported as down (``qpumon_source_up`` 0, no values): one bad device never
    takes the exposition down for the others."""
    try:
        text = _generate(states, alerting)
    except Exception:  # rarely: find the devices at fault
        states = [s if _exportable(s) else replace(s, snapshot=None) for s in states]
        text = _generate(states, alerting)
    return text, gzip.compress(text, GZIP_LEVEL, mtime=0)


def _generate(states: Sequence[DeviceState], alerting: bool) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(states))
    if alerting:
        registry.register(AlertCollector(states))
    return generate_latest(registry)


def _exportable(state: DeviceState) -> bool:
    try:
        _generate([state], alerting=False)
        return True
    except Exception:
        return False


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
                    if value is not None and qubit.operational:
                        family.add_metric((snapshot.name, str(qubit.index)), value * factor)
            yield family
        off = GaugeMetricFamily(
            "qpumon_qubit_out_of_service",
            "1 if the vendor has taken the qubit out of service (IBM's operational = 0)",
            labels=("device", "qubit"),
        )
        for snapshot in self.snapshots:
            for qubit in snapshot.qubits:
                off.add_metric((snapshot.name, str(qubit.index)), 0.0 if qubit.operational else 1.0)
        yield off

    def _gates(self) -> Iterator[Metric]:
        error = GaugeMetricFamily(
            GATE_ERROR.prometheus_name,
            "gate error as the source defines it (the definition label: average = 1 - F_avg; "
            "IBM's error = 1 flags and gates out of service left out)",
            labels=(*_GATE_LABELS, "definition"),
        )
        length = _gauge(GATE_LENGTH.prometheus_name, f"gate duration ({GATE_LENGTH.base_unit})")
        flagged = _gauge(
            "qpumon_gate_flagged", "1 if IBM flags the gate's benchmark as failed (error = 1)"
        )
        off = _gauge(
            "qpumon_gate_out_of_service",
            "1 if the gate, or a qubit it acts on, is out of service (IBM's operational = 0)",
        )
        for snapshot in self.snapshots:
            for gate in snapshot.gate_index.values():
                labels = (snapshot.name, gate.gate, coupler_text(gate.qubits))
                in_service = not snapshot.out_of_service(gate)
                if gate.error is not None and not gate.failed and in_service:
                    error.add_metric((*labels, gate.definition), gate.error)
                if gate.length_ns is not None and in_service:
                    length.add_metric(labels, gate.length_ns * GATE_LENGTH.to_base)
                flagged.add_metric(labels, 1.0 if gate.failed else 0.0)
                off.add_metric(labels, 0.0 if in_service else 1.0)
        yield from (error, length, flagged, off)

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
        yield from self._summaries()
        yield from self._device_values()

    def _summaries(self) -> Iterator[Metric]:
        """Each device's headline medians, in the source's definition and as average gate
        infidelities, and its couplers and failures per two-qubit gate."""
        medians = {
            key: GaugeMetricFamily(
                f"qpumon_device_median_{key}_ratio",
                f"median {key.replace('_', ' ')} over the gates in service, "
                + (
                    "as an average gate infidelity (bound: lower/upper where the conversion "
                    "gives one)"
                    if key.endswith("_avg")
                    else "as the source defines it (the definition label)"
                ),
                labels=("device", "bound" if key.endswith("_avg") else "definition"),
            )
            for key in ("1q_error", "2q_error", "1q_error_avg", "2q_error_avg")
        }
        couplers = _coupler_gauge("qpumon_device_couplers", "couplers the gate is calibrated on")
        failed = _coupler_gauge(
            "qpumon_device_failed_couplers", "couplers with IBM's error = 1 flag on the gate"
        )
        off = _device_gauge(
            "qpumon_device_out_of_service_qubits", "qubits the vendor has taken out of service"
        )
        for snapshot in self.snapshots:
            summary = summarize(snapshot)
            for key, value, label in _medians(summary):
                if value is not None:
                    medians[key].add_metric((snapshot.name, label or ""), value)
            for gate, total, flags in _coupler_counts(summary):
                couplers.add_metric((snapshot.name, gate), float(total))
                failed.add_metric((snapshot.name, gate), float(flags))
            off.add_metric((snapshot.name,), float(summary.out_of_service_qubits))
        yield from (*medians.values(), couplers, failed, off)

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


def _coupler_gauge(name: str, documentation: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=("device", "gate"))


def _medians(summary: DeviceSummary) -> Iterator[tuple[str, float | None, str | None]]:
    """``(key, value, definition or bound)`` of each headline error median."""
    yield "1q_error", summary.median_1q_error, summary.one_qubit_definition
    yield "2q_error", summary.median_2q_error, summary.two_qubit_definition
    yield "1q_error_avg", summary.median_1q_error_avg, summary.one_qubit_avg_bound
    yield "2q_error_avg", summary.median_2q_error_avg, summary.two_qubit_avg_bound


def _coupler_counts(summary: DeviceSummary) -> Iterator[tuple[str, int, int]]:
    """``(gate, couplers, flagged couplers)`` of the native entangler and the fractional gate;
    nothing for a device with one native entangler of several or without IBM's flag."""
    if summary.failed_2q_couplers is not None and len(summary.two_qubit_gates) == 1:
        yield summary.two_qubit_gates[0], summary.native_couplers, summary.failed_2q_couplers
    if len(summary.fractional_gates) == 1:
        yield (
            summary.fractional_gates[0],
            summary.fractional_couplers,
            summary.failed_fractional_couplers,
        )


class AlertCollector:
    """``qpumon_alert_active{device,alert,condition,subject}``: 1 for each alert of
    ``qpumon serve --rules`` that holds (``alert`` the rule's name, ``condition`` its ``when``,
    ``subject`` what it holds for: ``qubit 12``, a coupler, ``device``); a cleared alert has no
    sample."""

    def __init__(self, states: Sequence[DeviceState]) -> None:
        self.states = list(states)

    def describe(self) -> list[Metric]:
        """Nothing to check for clashes: the names are this module's."""
        return []

    def collect(self) -> Iterator[Metric]:
        """The one family, empty when no alert holds."""
        active = GaugeMetricFamily(
            "qpumon_alert_active",
            "1 while the alert rule's condition holds for the subject (qpumon serve --rules)",
            labels=("device", "alert", "condition", "subject"),
        )
        for state in self.states:
            for alert in state.active_alerts:
                labels = (state.name, alert.alert, alert.condition, alert.subject)
                active.add_metric(labels, 1.0)
        yield active
