"""The executor is a parameter: threads, processes and a local Ray cluster give the same scan,
and a worker that would fingerprint with another key is refused.

The pack is the seized-pack fixture (photos, ID cards, tables, archives, a docx with an
embedded image): every kind of member and nested member crosses the executor.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from notforsale import executors
from notforsale.fingerprint import installation_key, key_id
from notforsale.scan import ScanOptions, scan_path

BASE = ScanOptions(workers=2, ocr="auto")


def _view(result) -> dict[str, object]:
    """Everything a report says, order aside."""
    return {
        "files": result.files, "images": result.images,
        "findings": sorted((f.finding.type, f.finding.fingerprint, f.finding.masked,
                            str(f.location)) for f in result.findings),
        "errors": sorted((e.path, e.message) for e in result.errors),
        "skipped": sorted((s.path, s.format, s.reason) for s in result.skipped),
        "profiles": sorted(tuple(sorted((e.type, e.fingerprint) for e in p.entities))
                           + tuple(sorted(str(f) for f in p.faces)) for p in result.profiles),
    }


@pytest.fixture(scope="module")
def threads_view(pack: Path) -> dict[str, object]:
    return _view(scan_path(pack, BASE))


def test_processes_give_the_threads_scan(pack: Path, threads_view: dict[str, object]) -> None:
    result = scan_path(pack, replace(BASE, executor="processes"))
    assert _view(result) == threads_view
    assert result.files > 5 and result.profiles, "the pack has files and profiles"


def test_the_order_of_results_is_the_order_sent(pack: Path) -> None:
    one = scan_path(pack, replace(BASE, workers=1))
    two = scan_path(pack, replace(BASE, executor="processes"))
    assert [str(f.location) for f in one.findings] == [str(f.location) for f in two.findings]


# (executor, members a batch of the threads holds) — why the case is there
LAST_BATCH = [("threads", 1, "a batch a member (the threads' own): the reference"),
              ("threads", 64, "threads sent batches of many members"),
              ("processes", 64, "batches crossing to worker processes")]


@pytest.mark.parametrize(("kind", "batch", "why"), LAST_BATCH, ids=[c[2] for c in LAST_BATCH])
def test_members_found_inside_the_last_batch_are_read(tmp_path: Path, kind: str, batch: int,
                                                      why: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Attachments found in the last members collected join a batch of their own: it is
    sent too (they were left unsent, silently, by every executor batching members)."""
    from PIL import Image

    from tests.builders import eml, png

    photo = png(Image.new("RGB", (64, 64), (200, 150, 120)))
    for index in range(3):
        (tmp_path / f"mail{index}.eml").write_bytes(eml(
            f"手机 1381234567{index}", {f"photo{index}.png": photo, "note.txt": b"x"}))
    monkeypatch.setattr(executors.Threads, "batch_members", batch)
    result = scan_path(tmp_path, replace(BASE, executor=kind, faces=False, ocr="never"))
    assert result.files == 9, why  # three messages and the two attachments of each
    assert result.images == 3, why  # each message's photo, found inside it
    assert not result.errors, why


def test_a_worker_answering_with_another_key_stops_the_scan_before_it_is_kept(
        tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("手机 13812345678", encoding="utf-8")
    pool = executors.Processes(1, BASE, installation_key())
    try:
        pool.key_id = key_id(b"another installation's key")  # what the driver expects
        handle = pool.submit([_member(tmp_path / "a.txt")])
        with pytest.raises(executors.KeyMismatch):
            pool.result(handle)
    finally:
        pool.close()


def _member(path: Path):
    from notforsale.read.member import member_at

    return member_at(str(path), path.read_bytes(), installation_key())


def test_an_unknown_executor_is_refused() -> None:
    from notforsale.errors import InputError

    with pytest.raises(InputError, match="unknown executor"):
        scan_path(".", replace(BASE, executor="gpu"))


ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray cluster on this machine only, started and stopped by the test."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_a_local_ray_cluster_gives_the_threads_scan(
        pack: Path, threads_view: dict[str, object], local_ray: None) -> None:
    result = scan_path(pack, replace(BASE, executor="ray", ray_address="auto"))
    assert _view(result) == threads_view
    assert ray.is_initialized(), "a cluster the scan did not start is left running"


def test_ray_workers_with_another_key_are_refused_before_the_scan(local_ray: None) -> None:
    cluster = executors.Ray("auto", BASE, installation_key())
    cluster.key_id = key_id(b"another installation's key")
    with pytest.raises(executors.KeyMismatch, match="refused"):
        cluster._check_workers(ray.remote(executors._probe))
