"""qpumon's one error hierarchy: every error qpumon raises on purpose, and its exit code.

The command line catches :class:`QpumonError` once and prints its message as one line on stderr
(``--debug`` adds the traceback, never a different exit code). The exit code follows the class::

    QpumonError                      2  base class: something the user can fix
    ├── UsageError                   2  options that cannot be used as given
    ├── DeviceNotFoundError          2  a device (or vendor) name no source knows
    ├── InputError                   2  a malformed input document: names the file and JSON path
    │   ├── UnitError                2    a unit string qpumon cannot convert
    │   ├── CircuitError             2    a circuit that cannot be read, translated or placed
    │   ├── RulesError               2    an alert rules file
    │   └── InputTooLargeError       2    an input beyond qpumon's stated limits
    ├── NoCalibrationError           2  calibration data needed but absent
    ├── MissingExtraError            2  an optional dependency is not installed
    ├── AccountError                 2  no usable IBM Quantum account
    │   └── TokenRejectedError       2    the service refused the API key
    ├── StoreError                   2  the history database: damaged, too new, no such history
    │   └── StoreBusyError           2    still locked by another writer after retries
    ├── OutputError                  2  an output file that cannot be written
    ├── LimitExceededError           2  work stopped at a stated bound (time, layouts, size)
    └── ServiceError                 3  a remote service failed or could not be reached
        ├── UnreachableError         3    DNS, refused connection, timeout
        ├── ServiceAnswerError       3    an HTTP error answer (``status``)
        ├── MalformedAnswerError     3    an answer that is not the document the route promises
        ├── DatabaseUnreachableError 3    a database server that cannot be reached
        └── DeliveryError            4    an alert action (webhook) failed; retried next check

Besides these: 0 is success, 1 means an alert with the ``exit`` action fired (``check``),
70 an internal error (a bug: please report it with ``--debug``), 130 an interruption (Ctrl-C,
SIGINT) and 143 a termination (SIGTERM), each after the same clean shutdown: what was recorded
stays whole, a file being written is left as it was.
"""

from __future__ import annotations

#: Exit code of an alert with the ``exit`` action firing.
EXIT_ALERT = 1
#: Exit code of an internal error: a bug in qpumon, not a fault of the input.
EXIT_INTERNAL = 70
#: Exit code of a command interrupted by Ctrl-C (SIGINT): 128 + 2, as a shell reports it.
EXIT_INTERRUPTED = 130
#: Exit code of a command stopped by SIGTERM: 128 + 15, as a shell reports it.
EXIT_TERMINATED = 143


def signal_exit_code(signum: int) -> int:
    """The exit code of a command stopped by signal ``signum``: 128 + its number (130 for
    SIGINT, 143 for SIGTERM), as a shell reports a process the signal ended."""
    return 128 + signum


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: raised in the main thread like Ctrl-C's KeyboardInterrupt, so that every
    clean-up written for Ctrl-C runs for it too; the command then exits 143."""


class QpumonError(Exception):
    """Base class of every error qpumon raises on purpose; ``exit_code`` is the CLI's code."""

    exit_code = 2


class UsageError(QpumonError):
    """Options or arguments that cannot be used as given (a bad value or combination)."""


class DeviceNotFoundError(QpumonError):
    """A device name (or vendor) that no source knows."""


class InputError(QpumonError):
    """A malformed input document: wrong shape, type, value, range or consistency."""


class UnitError(InputError):
    """A unit string that qpumon does not know how to convert."""


class CircuitError(InputError):
    """A circuit that cannot be read, translated or placed."""


class RulesError(InputError):
    """An alert rules file that cannot be used."""


class InputTooLargeError(InputError):
    """An input beyond a stated limit (file size, qubit count, gate count, nesting depth)."""


class NoCalibrationError(QpumonError):
    """An operation that needs calibration data was asked of a device that has none."""


class MissingExtraError(QpumonError):
    """An optional dependency that a command needs is not installed; the message names it.

    Made by :func:`missing_extra`, the one wording of every such message."""


def pip_extra(extra: str) -> str:
    """The command that installs qpumon's optional ``extra``, as every message spells it."""
    return f"pip install 'qpumon[{extra}]'"


def missing_extra(
    what: str,
    needs: str,
    install: str,
    cause: ImportError | None = None,
    *,
    package: str | None = None,
    say_not_installed: bool = False,
) -> MissingExtraError:
    """The one-line error "``what`` needs ``needs``: ``install``" (``install``: the command,
    usually :func:`pip_extra`). A ``cause`` other than the top-level ``package`` itself not
    being found means the package is installed but cannot be imported, and the message says so
    (with the cause); ``say_not_installed`` says plainly that it is not installed."""
    absent = cause is None or (
        isinstance(cause, ModuleNotFoundError)
        and (cause.name or "").split(".")[0] == (package or needs)
    )
    if not absent:
        state = f", which is installed but cannot be imported ({cause})"
    else:
        state = ", which is not installed" if say_not_installed else ""
    return MissingExtraError(f"{what} needs {needs}{state}: {install}")


class AccountError(QpumonError):
    """No usable IBM Quantum account: none configured, or a saved one that cannot be read."""


class TokenRejectedError(AccountError):
    """IBM Quantum (or its IAM token service) refused the API key."""


class StoreError(QpumonError):
    """The history database cannot be used: damaged, of a newer schema, or no such history."""


class StoreBusyError(StoreError):
    """The database stayed locked by another writer for longer than the retries allow."""


class OutputError(QpumonError):
    """An output file that cannot be written (the previous file, if any, is left intact)."""


class LimitExceededError(QpumonError):
    """Work stopped at a stated bound (``--max-seconds``, a layout or size limit)."""


class ServiceError(QpumonError):
    """A remote service (IBM Quantum, a database server, a webhook) failed or was unreachable."""

    exit_code = 3


class UnreachableError(ServiceError):
    """A service could not be reached: DNS, connection refused, network down or a timeout."""


class ServiceAnswerError(ServiceError):
    """A service answered with an HTTP error; ``status`` is its code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class MalformedAnswerError(ServiceError):
    """A service answered with something that is not the document its route promises."""


class DatabaseUnreachableError(ServiceError):
    """A database server that cannot be reached (down, refused, unknown host)."""


class DeliveryError(ServiceError):
    """An alert action failed (a webhook refused, redirected, too slow); it is retried."""

    exit_code = 4
