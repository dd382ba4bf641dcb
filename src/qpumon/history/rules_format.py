"""The alert rules file's format and limits, in a module of their own so that ``--help`` can
show them without importing the store."""

from __future__ import annotations

#: One total deadline per webhook delivery: connection, request and answer together.
DELIVERY_DEADLINE_S = 10.0
#: A rules file is a few lines; a larger one is refused before it is parsed.
MAX_RULES_BYTES = 256 * 1024
#: At most this many ``[[alert]]`` tables in one file.
MAX_RULES = 1000
#: The longest rule name, condition or device name (the store keeps rule names in 200 characters).
MAX_TEXT = 200
#: The longest webhook URL.
MAX_URL = 2048

#: The rules format for ``qpumon check --help``. Click re-flows a paragraph unless it starts with a
#: line of its own holding ``\b``: the example and the exit codes keep their lines (at most 78
#: columns with click's indent, for an 80-column terminal).
RULES_HELP = f"""\
\b
Rules file (TOML):
  webhook = "https://hooks.example.org/qpumon"  # for the webhook action
  baseline_days = 30            # window of "baseline", in days (default 30)
  [[alert]]
  name = "short T1"             # optional, unique; the condition by default
  when = "t1_us < 50"           # or "2q_error > 2 * baseline",
                                # "sx_error > 1e-3", "operational == false",
                                # "pending_jobs > 100",
                                # "failed_2q_couplers > 5",
                                # "out_of_service_qubits > 0"
  actions = ["print", "exit"]   # print, exit, webhook (default ["print"])
  devices = ["ibm_fez"]         # optional: only these devices

An alert fires when its condition becomes true and not again while it stays true. It is marked
active only once all its actions succeeded: the webhook (a JSON POST) must answer 2xx within
{DELIVERY_DEADLINE_S:g} s, redirects are failures; otherwise it fires again at the next check.

\b
Exit codes:
  0    fine
  1    an alert with the exit action fired
  2    bad input (rules file, device)
  3    a service or the database could not be reached
  4    an alert's webhook failed (it fires again at the next check)
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM)
"""
