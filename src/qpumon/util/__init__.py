"""Helpers every layer may use and that know nothing of devices: times, output files, paths,
bounds, printable text, threads and the notebook display hook."""
