"""Reports: format-neutral results (tables, pairs, notes) built from the model, one module per
command (monitor, overview, list, history, choose), drawn by the one formats registry in
:mod:`qpumon.reports.formats`. Nothing here imports a source or reads a raw format."""
