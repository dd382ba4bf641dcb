"""Translate a circuit to a basis family with a pass manager built directly, not ``transpile()``.

``transpile(circuit, basis_gates=..., optimization_level=L)`` builds Qiskit's preset pass manager
through its stage-plugin manager, which discovers every installed plugin: the first call imports
qiskit-ibm-runtime (about 0.65 s). Placement needs no layout, routing or scheduling (there is no
coupling map: the interaction graph is taken as it is), so this module assembles the same init,
translation and optimization stages of the preset level ``L`` from Qiskit's public passes and
stage generators, and gives the same circuits (the tests compare them with ``transpile``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

#: Operations every device accepts besides its basis gates.
ALWAYS_SUPPORTED = ("measure", "reset", "delay")
#: ``transpile``'s default approximation degree: no approximation.
APPROXIMATION_DEGREE = 1.0


def run_translation(
    circuit: Any,
    family: tuple[str, ...],
    optimization_level: int = 3,
    after_each_pass: Callable[..., None] | None = None,
) -> Any:
    """``circuit`` in the gates of ``family`` (all-to-all), as ``transpile`` would give it.
    ``after_each_pass`` is called after every pass (it may raise to stop: a deadline)."""
    return pass_manager(family, optimization_level).run(circuit, callback=after_each_pass)


@functools.lru_cache(maxsize=32)
def pass_manager(family: tuple[str, ...], optimization_level: int = 3) -> Any:
    """The init, translation and optimization stages of preset level ``optimization_level``."""
    from qiskit.transpiler import PassManager, Target
    from qiskit.transpiler.preset_passmanagers import generate_translation_passmanager

    if optimization_level not in (0, 1, 2, 3):
        from ..errors import UsageError

        raise UsageError(f"optimization level must be 0, 1, 2 or 3, not {optimization_level!r}")
    basis = [*family, *ALWAYS_SUPPORTED]
    target = Target.from_configuration(basis_gates=basis)
    translation = generate_translation_passmanager(
        target,
        basis_gates=basis,
        method="translator",
        approximation_degree=APPROXIMATION_DEGREE,
        coupling_map=None,
        unitary_synthesis_method="default",
        qubits_initially_zero=True,
    )
    manager = PassManager()
    init = _init_stage(target, basis, optimization_level)
    if init is not None:
        manager.append(init.to_flow_controller())
    manager.append(translation.to_flow_controller())
    if optimization_level > 0:
        manager.append(_optimization_stage(target, basis, translation, optimization_level))
    return manager


def _init_stage(target: Any, basis: list[str], level: int) -> Any:
    """The preset init stage without a coupling map (levels 2 and 3 share it)."""
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import (
        CommutativeCancellation,
        ConsolidateBlocks,
        ContractIdleWiresInControlFlow,
        ElidePermutations,
        InverseCancellation,
        RemoveDiagonalGatesBeforeMeasure,
        RemoveIdentityEquivalent,
        Split2QUnitaries,
    )
    from qiskit.transpiler.preset_passmanagers import generate_unroll_3q

    if level == 0:
        return None
    if level == 1:
        return PassManager([InverseCancellation(), ContractIdleWiresInControlFlow()])
    init = generate_unroll_3q(
        target, basis, APPROXIMATION_DEGREE, "default", None, None, True, optimization_level=level
    )
    init.append(ElidePermutations())
    init.append(
        [
            RemoveDiagonalGatesBeforeMeasure(),
            RemoveIdentityEquivalent(approximation_degree=APPROXIMATION_DEGREE),
            InverseCancellation(),
            ContractIdleWiresInControlFlow(),
        ]
    )
    init.append(CommutativeCancellation(approximation_degree=APPROXIMATION_DEGREE))
    init.append(ConsolidateBlocks())
    init.append(Split2QUnitaries(APPROXIMATION_DEGREE, split_swap=True))
    return init


def _optimization_stage(target: Any, basis: list[str], translation: Any, level: int) -> Any:
    """The preset optimization loop: repeat until the circuit stops shrinking."""
    from qiskit.passmanager.flow_controllers import ConditionalController, DoWhileController
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import GatesInBasis

    pre_loop, loop = _loop_passes(target, basis, level)
    check, keep_going = _loop_check(level)
    unroll = [
        GatesInBasis(basis, target=target),
        ConditionalController(
            translation.to_flow_controller(),
            condition=lambda properties: not properties["all_gates_in_basis"],
        ),
    ]
    stage = PassManager()
    stage.append(pre_loop + check)
    stage.append(DoWhileController(loop + unroll + check, do_while=keep_going))
    return stage.to_flow_controller()


def _loop_passes(target: Any, basis: list[str], level: int) -> tuple[list[Any], list[Any]]:
    from qiskit.transpiler.passes import (
        CommutativeCancellation,
        ContractIdleWiresInControlFlow,
        InverseCancellation,
        Optimize1qGatesDecomposition,
        RemoveIdentityEquivalent,
        TwoQubitPeepholeOptimization,
    )

    one_qubit = Optimize1qGatesDecomposition(basis=basis, target=target)
    if level == 1:
        return [], [one_qubit, InverseCancellation(), ContractIdleWiresInControlFlow()]
    peephole = TwoQubitPeepholeOptimization(target, approximation_degree=APPROXIMATION_DEGREE)
    loop = [
        RemoveIdentityEquivalent(approximation_degree=APPROXIMATION_DEGREE, target=target),
        one_qubit,
        CommutativeCancellation(target=target, approximation_degree=APPROXIMATION_DEGREE),
        ContractIdleWiresInControlFlow(),
    ]
    return ([peephole], loop) if level == 2 else ([], [peephole, *loop])


def _loop_check(level: int) -> tuple[list[Any], Any]:
    """Level 3 stops at a minimum of depth and size; levels 1 and 2 at a fixed point."""
    from qiskit.transpiler.passes import Depth, FixedPoint, MinimumPoint, Size

    if level == 3:
        return [
            Size(recurse=True),
            Depth(recurse=True),
            MinimumPoint(["depth", "size"], "optimization_loop"),
        ], lambda properties: not properties["optimization_loop_minimum_point"]
    return [
        Size(recurse=True),
        Depth(recurse=True),
        FixedPoint("size"),
        FixedPoint("depth"),
    ], lambda properties: not (properties["depth_fixed_point"] and properties["size_fixed_point"])
