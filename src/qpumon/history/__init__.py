"""Calibration history: series of stored values, drift, diffs, alert rules, checks, recording
and watching, and synthetic demo histories. Everything here reads and writes through
:mod:`qpumon.store`, which needs the ``[store]`` extra (SQLAlchemy)."""
