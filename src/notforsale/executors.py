"""Where the per-member step runs: threads (the default), processes, or a Ray cluster.

The scan's driver walks the input and hands members, in batches, to an executor; each
batch comes back as the per-member step's outputs (:func:`scan.member_step`: results and
the members found inside), collected in the order sent, so a scan gives the same result on
every executor. The driver bounds what is in flight (batches and bytes), so memory stays
flat however large the pack.

Every worker fingerprints with the driver's key: the key is passed to each worker
explicitly and pinned there (:func:`fingerprint.pin_key`), and every batch answers with
the key's id (:func:`fingerprint.key_id`) — a worker that would use another key (another
notforsale, a pin that did not hold) stops the scan before anything of it is kept. Ray
workers are probed before the scan starts, and a cluster whose workers run another version
of notforsale or another key is refused.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import InputError
from .fingerprint import key_id, pin_key

if TYPE_CHECKING:
    from .read.member import Member
    from .scan import MemberResult, ScanOptions

log = logging.getLogger(__name__)

Outputs = list[list["Member | MemberResult"]]

#: The kinds of executor, as ``ScanOptions.executor`` names them.
THREADS, PROCESSES, RAY = "threads", "processes", "ray"


class KeyMismatch(InputError):
    """A worker would fingerprint with another key than the driver's."""


def run_batch(members: Sequence[Member], options: ScanOptions, key: bytes
              ) -> tuple[str, Outputs]:
    """The per-member step over a batch, in a worker: the key pinned, its id answered."""
    from .scan import member_step

    pin_key(key)
    return key_id(), [member_step(member, options, key) for member in members]


def _probe(key: bytes) -> tuple[str, str]:
    """A worker's key id and version; it imports the per-member step meanwhile, so every
    worker the probes reach starts warm (probes run at once, one a worker: an import of a
    second or more on a worker's first batch made a second worker of no use on a short
    scan)."""
    from . import scan  # noqa: F401

    pin_key(key)
    return key_id(), __version__


class Executor:
    """Runs batches of members; ``in_flight`` batches at most are sent before the oldest
    is waited for."""

    batch_members = 1
    batch_bytes = 0

    def __init__(self, workers: int, options: ScanOptions, key: bytes) -> None:
        self.workers = workers
        self.options = options
        self.key = key
        self.key_id = key_id(key)
        self.in_flight = 2 * workers
        #: Bytes of members sent and not yet collected, at most (the driver waits).
        self.max_in_flight_bytes = 256 * 1024 * 1024

    def submit(self, members: list[Member]) -> Any:
        raise NotImplementedError

    def result(self, handle: Any) -> Outputs:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the workers (what this executor started)."""

    def _checked(self, answer: tuple[str, Outputs]) -> Outputs:
        worker_key, outputs = answer
        if worker_key != self.key_id:
            raise KeyMismatch("(scan)", "a worker fingerprinted with another key than this "
                                        "scan's: its results were not kept")
        return outputs


class Threads(Executor):
    """A thread pool in this process (images and videos run in native code, off the GIL)."""

    def __init__(self, workers: int, options: ScanOptions, key: bytes) -> None:
        super().__init__(workers, options, key)
        self.pool = ThreadPoolExecutor(workers, "notforsale-member")

    def submit(self, members: list[Member]) -> Future[tuple[str, Outputs]]:
        from .scan import member_step

        def step() -> tuple[str, Outputs]:
            return self.key_id, [member_step(m, self.options, self.key) for m in members]
        return self.pool.submit(step)

    def result(self, handle: Future[tuple[str, Outputs]]) -> Outputs:
        return self._checked(handle.result())

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Processes(Executor):
    """Worker processes on this machine (for packs whose reading is Python-bound: tables,
    dumps, office files). Started with ``spawn``: no state of the driver is inherited."""

    batch_members = 64
    batch_bytes = 8 * 1024 * 1024

    def __init__(self, workers: int, options: ScanOptions, key: bytes) -> None:
        import multiprocessing

        super().__init__(workers, options, key)
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=pin_key, initargs=(key,))

    def submit(self, members: list[Member]) -> Future[tuple[str, Outputs]]:
        return self.pool.submit(run_batch, members, self.options, self.key)

    def result(self, handle: Future[tuple[str, Outputs]]) -> Outputs:
        return self._checked(handle.result())

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Ray(Executor):
    """Tasks on a Ray cluster (``address``; ``auto`` starts a local one, stopped at the end).

    Batches go by reference (``ray.put``): a task costs about a millisecond and a large
    argument tens of milliseconds, so members travel many to a task.
    """

    batch_members = 256
    batch_bytes = 16 * 1024 * 1024

    def __init__(self, address: str, options: ScanOptions, key: bytes) -> None:
        try:
            import ray
        except ImportError:
            raise InputError("--ray", "Ray is not installed (pip install 'notforsale[ray]')") \
                from None
        self.ray = ray
        self.started = False
        if not ray.is_initialized():
            if address == "auto":
                ray.init(num_cpus=options.workers, include_dashboard=False,
                         log_to_driver=False, configure_logging=False)
                self.started = True
            else:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        super().__init__(workers, options, key)
        # Members wait in the cluster's object store, not in the driver: two batches a
        # worker may be in flight whatever their size (256 MiB kept 11 of 100 busy).
        self.max_in_flight_bytes = max(self.max_in_flight_bytes,
                                       2 * workers * self.batch_bytes)
        self.key_ref = ray.put(key)
        self.options_ref = ray.put(options)
        self.task = ray.remote(run_batch)
        self._check_workers(ray.remote(_probe))

    def _check_workers(self, probe: Any) -> None:
        answers = self.ray.get([probe.remote(self.key_ref) for _ in range(self.workers)])
        for worker_key, version in answers:
            if version != __version__:
                self.close()
                raise InputError("--ray", f"a worker runs notforsale {version}, this scan "
                                          f"{__version__}: refused")
            if worker_key != self.key_id:
                self.close()
                raise KeyMismatch("--ray", "a worker would fingerprint with another key: "
                                           "refused")

    def submit(self, members: list[Member]) -> Any:
        return self.task.remote(self.ray.put(members), self.options_ref, self.key_ref)

    def result(self, handle: Any) -> Outputs:
        return self._checked(self.ray.get(handle))

    def close(self) -> None:
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()
            self.started = False


def make(options: ScanOptions, key: bytes) -> Executor:
    """The executor ``options`` ask for."""
    kinds: dict[str, Callable[[], Executor]] = {
        THREADS: lambda: Threads(options.workers, options, key),
        PROCESSES: lambda: Processes(options.workers, options, key),
        RAY: lambda: Ray(options.ray_address or "auto", options, key),
    }
    if options.executor not in kinds:
        raise InputError("--executor", f"unknown executor {options.executor!r}")
    log.debug("executor %s, pid %d", options.executor, os.getpid())
    return kinds[options.executor]()
