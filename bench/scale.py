"""Scale: a generated leaked-table dump and a pack of tiny files, scanned at 10 %, 50 % and
100 % of the input; a local Ray cluster with 1 and 2 workers; threads against processes;
and a projection of a 20 GB pack on 100 workers (issue 16).

Everything is generated here, deterministically, under a temporary folder in /tmp that is
removed at the end (``--keep`` keeps it):

- **dump**: ``leak.csv``, rows ``姓名,身份证号,手机号,地址`` — a Chinese name, an 18-character
  resident ID with a valid ISO 7064 MOD 11-2 check character (8 real area codes, birth dates
  1950–2004), a mobile number (8 real prefixes) and an address. Every ID and every phone is
  distinct, so a scan must report exactly ``rows`` of each. Rows are laid out at a fixed
  width with numpy (~75 bytes), so 1 GB is written in seconds. The 10 % and 50 % inputs are
  prefixes of the same rows (cut at a row end), written alongside. ``--format tsv|dash|sql``
  writes the same people as a tab-separated table, ``----``-separated lines or one SQL
  ``INSERT`` per row, each with a (Luhn-valid, distinct) bank card as well.
- **pack**: a *folder* (not a zip: a zip of a million members holds a central directory
  that must be read whole) ``pack/part0`` … ``pack/part9``, each with sub-folders of 1,000
  tiny ``.txt`` files (~30 bytes); every 10th file holds a phone, the next one a resident
  ID, the rest neither. 10 % of the pack is ``part0``, 50 % ``part0``–``part4``, 100 % all
  ten parts (each part is the next tenth of the same files).

Every scan is the CLI, ``notforsale scan … -f json -o FILE``, as a child process: wall time,
CPU time (user + system of the child and the processes it waited for) and peak memory —
the child's ``ru_maxrss`` from ``os.wait4`` (on Linux the largest of the child and its
waited-for descendants, not their sum; with ``--executor processes`` the workers' sum is
sampled from /proc as well). Every report is checked against what was generated: files
read, errors, distinct values kept + findings counted and not kept == values generated.
``/proc/loadavg`` is recorded at the start and end of every measurement.

Ray: a child process starts a local cluster (``ray.init(num_cpus=N,
include_dashboard=False)``, nothing bound beyond this machine), times its start, a no-op
task, ``ray.put`` of a 16 MiB batch, and then ``scan_path(..., ScanOptions(executor="ray",
ray_address="auto", workers=N))`` on the pack's first part. The driver's own cost (walking
the members, without the per-member step) and the per-member step's cost (one thread, no
executor) are measured in another child, so the per-task overhead is what is left.

There is no peer tool that scans packs this way (Presidio and deface are per-text and
per-image; their ratios are in bench/text_throughput.py and bench/redact.py): the numbers
here are absolute.

Run: ``.venv/bin/python bench/scale.py`` (1 GB dump, 1,000,000 files: ~3 h on the shared
2-core machine at the dump's rate measured, see bench/README.md); smaller:
``--size 48M --files 100000 --ray-files 10000`` (~10 min); ``--skip dump,compare,pack,ray``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FRACTIONS = (0.1, 0.5, 1.0)

# -- generated data ---------------------------------------------------------------------

AREAS = ["110101", "310115", "440305", "510107", "330106", "320102", "420111", "440106"]
MOBILE_PREFIXES = ["138", "139", "150", "186", "135", "177", "158", "188"]
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
DAYS = 20_000  # birth dates from 1950-01-01
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真"
CITIES = ["北京市朝阳区", "上海市黄浦区", "广州市天河区", "深圳市南山区", "成都市武侯区",
          "杭州市西湖区", "南京市鼓楼区", "武汉市洪山区"]
ROADS = ["建国路", "人民路", "中山路", "解放路", "长江路", "和平路", "新华路", "友谊路"]
HEADER = "姓名,身份证号,手机号,地址\n".encode()


def _table(strings: list[str]) -> np.ndarray:
    rows = [s.encode() for s in strings]
    assert len({len(r) for r in rows}) == 1, strings
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), -1)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of ``values`` as a (n, width) array of ASCII codes."""
    out = np.empty((len(values), width), dtype=np.uint8)
    v = values.astype(np.int64)
    for col in range(width - 1, -1, -1):
        out[:, col] = 48 + v % 10
        v //= 10
    return out


_DATES = _table([(date(1950, 1, 1) + timedelta(days=d)).strftime("%Y%m%d") for d in range(DAYS)])
_AREAS = _table(AREAS)
_PREFIXES = _table(MOBILE_PREFIXES)
_SURNAMES = _table(list(SURNAMES))
_GIVEN = _table(list(GIVEN))
_CITIES = _table(CITIES)
_ROADS = _table(ROADS)


def ids_and_phones(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Resident IDs (valid check character) and mobiles for row numbers ``index``; distinct
    for distinct rows (up to 160 M rows)."""
    n = len(index)
    ids = np.empty((n, 18), dtype=np.uint8)
    ids[:, 0:6] = _AREAS[index % len(AREAS)]
    ids[:, 6:14] = _DATES[(index // len(AREAS)) % DAYS]
    ids[:, 14:17] = _digits((index // (len(AREAS) * DAYS)) % 1000, 3)
    total = (ids[:, :17].astype(np.int64) - 48) @ WEIGHTS
    ids[:, 17] = CHECK[total % 11]
    phones = np.empty((n, 11), dtype=np.uint8)
    phones[:, 0:3] = _PREFIXES[index % len(MOBILE_PREFIXES)]
    phones[:, 3:11] = _digits(((index // len(MOBILE_PREFIXES)) * 48271) % 100_000_000, 8)
    return ids, phones


def csv_rows(start: int, count: int) -> bytes:
    """``count`` rows from row ``start``, fixed width (75 bytes), as bytes."""
    index = np.arange(start, start + count, dtype=np.int64)
    ids, phones = ids_and_phones(index)
    parts = [
        _SURNAMES[(index * 7) % len(SURNAMES)], _GIVEN[(index * 13) % len(GIVEN)],
        _GIVEN[(index * 31 + 5) % len(GIVEN)], _comma(count), ids, _comma(count), phones,
        _comma(count), _CITIES[index % len(CITIES)], _ROADS[(index // 3) % len(ROADS)],
        _digits(index % 1000 + 1, 3), np.tile(np.frombuffer("号\n".encode(), np.uint8), (count, 1)),
    ]
    return np.hstack(parts).tobytes()


def _comma(n: int) -> np.ndarray:
    return np.full((n, 1), ord(","), dtype=np.uint8)


def _text(count: int, text: str) -> np.ndarray:
    return np.tile(np.frombuffer(text.encode(), np.uint8), (count, 1))


def cards(index: np.ndarray) -> np.ndarray:
    """16-digit UnionPay cards (prefix 622202, a valid Luhn check digit), distinct for
    distinct rows (up to 10⁹ rows), as a (n, 16) array of ASCII codes."""
    n = len(index)
    out = np.empty((n, 16), dtype=np.uint8)
    out[:, 0:6] = np.frombuffer(b"622202", np.uint8)
    out[:, 6:15] = _digits((index * 7919) % 1_000_000_000, 9)
    digits = out[:, :15].astype(np.int64) - 48
    doubled = digits[:, ::-1][:, 0::2] * 2  # from the right, every other digit, doubled
    total = (doubled // 10 + doubled % 10).sum(axis=1) + digits[:, ::-1][:, 1::2].sum(axis=1)
    out[:, 15] = 48 + (10 - total % 10) % 10
    return out


#: The layouts leaks come in (``csv`` as measured since the first run: name, ID, phone,
#: address; the others add a bank card): a header (or table declaration) and a row maker.
FORMATS = ("csv", "tsv", "dash", "sql")
SUFFIXES = {"csv": ".csv", "tsv": ".tsv", "dash": ".txt", "sql": ".sql"}
HEADERS = {
    "csv": HEADER,
    "tsv": "姓名\t身份证号\t手机号\t银行卡号\t地址\n".encode(),
    "dash": b"",
    "sql": (b"CREATE TABLE `members` (`name` varchar(32), `idcard` char(18), "
            b"`mobile` char(11), `card` char(16), `address` varchar(64));\n"),
}


def format_rows(fmt: str, start: int, count: int) -> bytes:
    """``count`` rows from row ``start`` in layout ``fmt`` (fixed width), as bytes."""
    if fmt == "csv":
        return csv_rows(start, count)
    index = np.arange(start, start + count, dtype=np.int64)
    ids, phones = ids_and_phones(index)
    name = [_SURNAMES[(index * 7) % len(SURNAMES)], _GIVEN[(index * 13) % len(GIVEN)],
            _GIVEN[(index * 31 + 5) % len(GIVEN)]]
    address = [_CITIES[index % len(CITIES)], _ROADS[(index // 3) % len(ROADS)],
               _digits(index % 1000 + 1, 3), _text(count, "号")]
    fields = [name, [ids], [phones], [cards(index)], address]
    if fmt == "sql":  # one INSERT per row, as mysqldump --skip-extended-insert writes
        parts = [_text(count, "INSERT INTO `members` VALUES ('")]
        for i, field_ in enumerate(fields):
            parts += field_ + [_text(count, "', '" if i < len(fields) - 1 else "');\n")]
    else:
        sep = "\t" if fmt == "tsv" else "----"
        parts = []
        for i, field_ in enumerate(fields):
            parts += field_ + [_text(count, sep if i < len(fields) - 1 else "\n")]
    return np.hstack(parts).tobytes()


ROW_BYTES = len(csv_rows(0, 1))


def write_dump(folder: Path, size: int, fmt: str = "csv") -> dict[float, tuple[Path, int]]:
    """leak-NNN.csv (or the layout ``fmt``) of about ``size`` bytes and its 10 % and 50 %
    prefixes: {fraction: (path, rows)}."""
    header = HEADERS[fmt]
    row_bytes = len(format_rows(fmt, 0, 1))
    total_rows = max(10, (size - len(header)) // row_bytes)
    wanted = {f: int(total_rows * f) for f in FRACTIONS}
    paths = {f: folder / f"leak-{int(f * 100):03d}{SUFFIXES[fmt]}" for f in FRACTIONS}
    handles = {f: paths[f].open("wb") for f in FRACTIONS}
    for handle in handles.values():
        handle.write(header)
    chunk = 500_000
    for start in range(0, total_rows, chunk):
        count = min(chunk, total_rows - start)
        data = format_rows(fmt, start, count)
        for f, handle in handles.items():
            keep = min(count, max(0, wanted[f] - start))
            if keep:
                handle.write(data[:keep * row_bytes])
    for handle in handles.values():
        handle.close()
    return {f: (paths[f], wanted[f]) for f in FRACTIONS}


def tiny_text(i: int, ids: np.ndarray, phones: np.ndarray) -> bytes:
    if i % 10 == 1:
        return "联系电话 ".encode() + phones.tobytes() + b"\n"
    if i % 10 == 2:
        return "身份证 ".encode() + ids.tobytes() + b"\n"
    return f"备注 第{i}条 无\n".encode()


def write_pack(folder: Path, files: int) -> list[tuple[Path, int, int, int]]:
    """The pack's ten parts: [(path, files, phones, ids)]."""
    parts = []
    per_part = files // 10
    index = np.arange(files, dtype=np.int64)
    ids, phones = ids_and_phones(index + 40_000_000)  # other values than the dump's
    for p in range(10):
        part = folder / f"part{p}"
        n_phone = n_id = 0
        for i in range(p * per_part, (p + 1) * per_part):
            sub = part / f"d{(i - p * per_part) // 1000:04d}"
            if (i - p * per_part) % 1000 == 0:
                sub.mkdir(parents=True)
            body = tiny_text(i, ids[i], phones[i])
            n_phone += i % 10 == 1
            n_id += i % 10 == 2
            fd = os.open(sub / f"f{i:07d}.txt", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, body)
            os.close(fd)
        parts.append((part, per_part, n_phone, n_id))
    return parts


# -- measuring a child --------------------------------------------------------------------

def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _tree_rss(root: int) -> int:
    """Sum of the resident sets (bytes) of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


@dataclass
class Run:
    label: str
    wall: float = 0.0
    cpu: float = 0.0
    maxrss_mib: float = 0.0
    tree_mib: float = 0.0
    rc: int = 0
    load_start: str = ""
    load_end: str = ""
    out: dict = field(default_factory=dict)
    stderr: str = ""


def run_child(label: str, argv: list[str], env: dict[str, str]) -> Run:
    """Run ``argv``; its wall and CPU time, ru_maxrss, and the peak summed RSS of its tree."""
    run = Run(label, load_start=loadavg())
    err = tempfile.TemporaryFile()
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=err)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], _tree_rss(child.pid))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stdout is not None
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    run.wall = time.perf_counter() - start
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    run.rc = child.returncode
    run.cpu = usage.ru_utime + usage.ru_stime
    run.maxrss_mib = usage.ru_maxrss / 1024
    run.tree_mib = peak[0] / 2**20
    run.load_end = loadavg()
    err.seek(0)
    run.stderr = err.read().decode(errors="replace")[-2000:]
    text = stdout.decode(errors="replace").strip()
    if text.startswith("{"):
        run.out = json.loads(text.splitlines()[-1])
    return run


def scan_cli(label: str, paths: list[Path], report: Path, env: dict[str, str],
             *extra: str) -> Run:
    argv = [str(BIN / "notforsale"), "scan", *map(str, paths), "-f", "json", "-o", str(report),
            "--no-faces", "--ocr", "never", *extra]
    run = run_child(label, argv, env)
    if report.exists():
        run.out = summary_of(report)
        report.unlink()
    return run


def summary_of(report: Path) -> dict:
    """The report's summary (read from its head: the report may be hundreds of MB)."""
    with report.open(encoding="utf-8") as handle:
        head = ""
        while True:
            line = handle.readline()
            if not line:
                break
            head += line
            if line.startswith("  },") or line.startswith("  }\n"):
                break
    start = head.index('"summary": ') + len('"summary": ')
    return json.loads(head[start:].rstrip().rstrip(","))


def check(run: Run, files: int, expected: dict[str, int]) -> str:
    """'ok', or what differs between the report and what was generated."""
    s = run.out
    if not s:
        return f"no report (exit {run.rc}): {run.stderr.strip()[-300:]}"
    problems = []
    if s.get("files") != files:
        problems.append(f"files {s.get('files')} != {files}")
    if s.get("errors"):
        problems.append(f"{s['errors']} errors")
    if s.get("skipped"):
        problems.append(f"{s['skipped']} skipped")
    # The summary's distinct values count every value linked (kept as a finding or only
    # counted past the caps): each generated value is distinct, so they must match.
    entities = s.get("entities", {})
    found = sum(entities.values())
    want = sum(expected.values())
    if found != want:
        problems.append(f"distinct values {found} ({entities}; findings not kept "
                        f"{s.get('findings_not_kept', 0)}) != generated {want} {expected}")
    elif s.get("findings_not_kept"):
        return (f"ok ({s['findings_not_kept']:,} findings counted, not kept: the scan's caps of "
                f"10,000 per member and 1,000,000 per scan)")
    return "ok" if not problems else "; ".join(problems)


# -- Ray and the driver's own cost --------------------------------------------------------

RAY_CHILD = textwrap.dedent("""
    import json, sys, time
    import ray
    from notforsale.scan import ScanOptions, scan_path
    workers = int(sys.argv[1]); paths = sys.argv[2:]
    t = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    out = {"start_s": time.perf_counter() - t}
    noop = ray.remote(lambda x: None)
    ray.get(noop.remote(None))
    t = time.perf_counter()
    for _ in range(200):
        ray.get(noop.remote(None))
    out["noop_task_ms"] = (time.perf_counter() - t) / 200 * 1000
    t = time.perf_counter()
    ray.get([noop.remote(None) for _ in range(1000)])
    out["noop_task_parallel_ms"] = (time.perf_counter() - t) / 1000 * 1000
    blob = b"x" * (16 * 2**20)
    t = time.perf_counter()
    for _ in range(10):
        ray.get(noop.remote(ray.put(blob)))
    out["put_16mib_ms"] = (time.perf_counter() - t) / 10 * 1000
    t = time.perf_counter()
    result = scan_path(paths, ScanOptions(executor="ray", ray_address="auto", workers=workers,
                                          faces=False, ocr="never"))
    out["scan_s"] = time.perf_counter() - t
    out["summary"] = result.summary()
    ray.shutdown()
    print(json.dumps(out))
""")

PROFILE_CHILD = textwrap.dedent("""
    import json, sys, time
    from notforsale.fingerprint import installation_key
    from notforsale.read.limits import Limits
    from notforsale.read.member import Member
    from notforsale.read.walk import Walker
    from notforsale.scan import ScanOptions, member_step
    limit = int(sys.argv[1]); paths = sys.argv[2:]
    key = installation_key(); options = ScanOptions(faces=False, ocr="never")
    walker = Walker(Limits(), key)
    members, size = [], 0
    t = time.perf_counter()
    for path in paths:
        for item in walker.walk(path):
            if isinstance(item, Member):
                members.append(item); size += len(item.data)
                if len(members) >= limit:
                    break
    walk = time.perf_counter() - t
    t = time.perf_counter()
    for member in members:
        member_step(member, options, key)
    step = time.perf_counter() - t
    print(json.dumps({"members": len(members), "bytes": size, "walk_s": walk, "step_s": step}))
""")


def python_child(label: str, code: str, args: list[str], env: dict[str, str]) -> Run:
    return run_child(label, [sys.executable, "-c", code, *args], env)


# -- the bench ----------------------------------------------------------------------------

def parse_size(text: str) -> int:
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def row(run: Run, units: float, unit: str, verdict: str, size: str = "") -> str:
    return (f"| {run.label} | {size} | {units / run.wall:,.0f} {unit}/s | {run.wall:.1f} s | "
            f"{run.cpu:.1f} s | {run.maxrss_mib:,.0f} MiB | {run.tree_mib:,.0f} MiB | "
            f"{run.load_start} → {run.load_end} | {verdict} |")


HEAD = ("| run | input | rate | wall | CPU | peak RSS (ru_maxrss) | peak RSS of the tree "
        "(sampled) | load start → end | counts |\n|---|---|---|---|---|---|---|---|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="size of the dump (1G, 300M, …)")
    parser.add_argument("--files", type=int, default=1_000_000, help="files in the pack")
    parser.add_argument("--ray-files", type=int, default=20_000,
                        help="files of the pack scanned on Ray (its first ones)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--format", default="csv", choices=FORMATS,
                        help="the dump's layout (csv: name, ID, phone, address; the others "
                             "add a bank card)")
    parser.add_argument("--skip", default="", help="comma-separated: dump,pack,ray,compare")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    size = parse_size(args.size)
    files = max(10, args.files // 10 * 10)

    tmp = Path(tempfile.mkdtemp(prefix="notforsale-scale-", dir="/tmp"))
    env = dict(os.environ, NOTFORSALE_DATA_DIR=str(tmp / "data"),
               NOTFORSALE_CONFIG_DIR=str(tmp / "config"), RAY_USAGE_STATS_ENABLED="0")
    env.pop("NOTFORSALE_KEY", None)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    print(f"# bench/scale.py — {time.strftime('%Y-%m-%d %H:%M')} UTC, commit {commit}, "
          f"{os.cpu_count()} CPUs, load {loadavg()}, temp {tmp}")
    stat = os.statvfs("/tmp")
    print(f"/tmp: {stat.f_favail:,} inodes free, {stat.f_bavail * stat.f_frsize / 2**30:.0f} "
          "GiB free")
    lines: list[str] = []
    results: dict[str, object] = {}
    try:
        if "dump" not in skip or "compare" not in skip:
            t = time.perf_counter()
            dump = write_dump(tmp, size, args.format)
            cards = args.format != "csv"
            print(f"dump: {dump[1.0][1]:,} rows, {dump[1.0][0].stat().st_size / 2**20:,.0f} MiB,"
                  f" written in {time.perf_counter() - t:.1f} s")
        if "dump" not in skip:
            lines += ["", f"Dump ({dump[1.0][1]:,} rows of {ROW_BYTES} bytes; threads, "
                      f"{args.workers} workers)", "", HEAD]
            for f in FRACTIONS:
                path, rows = dump[f]
                run = scan_cli(f"dump {int(f * 100)} %", [path], tmp / "report.json", env,
                               "--workers", str(args.workers))
                verdict = check(run, 1, {"id": rows, "phone": rows,
                                         **({"card": rows} if cards else {})})
                lines.append(row(run, rows, "rows", verdict,
                                 f"{path.stat().st_size / 2**20:,.0f} MiB"))
                results[f"dump{f}"] = run
                print(lines[-1], flush=True)
            lo, hi = results["dump0.1"], results["dump1.0"]
            lines.append(f"\npeak memory 100 % / 10 %: ru_maxrss {hi.maxrss_mib / lo.maxrss_mib:.2f}×"
                         f", tree {hi.tree_mib / max(lo.tree_mib, 1):.2f}× (target ≤ 1.3)")
            print(lines[-1])
        if "compare" not in skip:
            path, rows = dump[0.5]
            lines += ["", f"Threads against processes, {args.workers} workers, 50 % of the dump",
                      "", HEAD]
            for kind in ("threads", "processes"):
                run = scan_cli(f"dump 50 % {kind}", [path], tmp / "report.json", env,
                               "--workers", str(args.workers), "--executor", kind)
                lines.append(row(run, rows, "rows", check(run, 1, {
                    "id": rows, "phone": rows, **({"card": rows} if cards else {})}),
                                 f"{path.stat().st_size / 2**20:,.0f} MiB"))
                print(lines[-1], flush=True)
            profile = python_child("profile dump", PROFILE_CHILD, ["4", str(dump[0.1][0])], env)
            results["profile_dump"] = profile.out
            print(f"driver/step profile of 4 pieces of the dump: {profile.out}")
        for f in list(dump) if ("dump" not in skip or "compare" not in skip) else []:
            dump[f][0].unlink()

        if "pack" not in skip or "ray" not in skip:
            t = time.perf_counter()
            parts = write_pack(tmp / "pack", files)
            print(f"pack: {files:,} files in 10 parts, written in {time.perf_counter() - t:.1f} s"
                  f"; /tmp inodes free {os.statvfs('/tmp').f_favail:,}", flush=True)
        if "pack" not in skip:
            lines += ["", f"Pack ({files:,} tiny files in a folder; threads, {args.workers} "
                      "workers)", "", HEAD]
            for f in FRACTIONS:
                chosen = parts[:int(10 * f)]
                n = sum(p[1] for p in chosen)
                expected = {"phone": sum(p[2] for p in chosen), "id": sum(p[3] for p in chosen)}
                run = scan_cli(f"pack {int(f * 100)} %", [p[0] for p in chosen],
                               tmp / "report.json", env, "--workers", str(args.workers))
                lines.append(row(run, n, "files", check(run, n, expected), f"{n:,} files"))
                results[f"pack{f}"] = run
                print(lines[-1], flush=True)
            lo, hi = results["pack0.1"], results["pack1.0"]
            lines.append(f"\npeak memory 100 % / 10 %: ru_maxrss {hi.maxrss_mib / lo.maxrss_mib:.2f}×"
                         f", tree {hi.tree_mib / max(lo.tree_mib, 1):.2f}× (target ≤ 1.3)")
            print(lines[-1])
        if "ray" not in skip:
            ray_root = tmp / "raypack"
            ray_root.mkdir()
            n = min(args.ray_files, parts[0][1])
            # the pack's first n files: whole sub-folders of part0
            for sub in sorted(parts[0][0].iterdir())[: max(1, n // 1000)]:
                shutil.copytree(sub, ray_root / sub.name)
            n = sum(1 for _ in ray_root.rglob("*.txt"))
            expected = {"phone": sum(1 for p in ray_root.rglob("*.txt")
                                     if p.read_bytes().startswith("联系".encode())),
                        "id": sum(1 for p in ray_root.rglob("*.txt")
                                  if p.read_bytes().startswith("身份".encode()))}
            lines += ["", f"Ray, local cluster, {n:,} files of the pack", "",
                      "| run | start | scan | files/s | speed-up | no-op task | 16 MiB put | CPU | "
                      "peak RSS (ru_maxrss) | tree (sampled) | load start → end | counts |",
                      "|---|---|---|---|---|---|---|---|---|---|---|---|"]
            ray_runs = {}
            for workers in (1, 2):
                run = python_child(f"ray {workers} worker(s)", RAY_CHILD,
                                   [str(workers), str(ray_root)], env)
                o = run.out
                if not o:
                    lines.append(f"| ray {workers} | failed: exit {run.rc}: "
                                 f"{run.stderr.strip()[-300:]} |")
                    print(lines[-1])
                    continue
                ray_runs[workers] = o
                fake = Run(run.label, out=o["summary"], rc=run.rc)
                speed = ray_runs[1]["scan_s"] / o["scan_s"] if 1 in ray_runs else 1.0
                lines.append(
                    f"| {run.label} | {o['start_s']:.1f} s | {o['scan_s']:.1f} s | "
                    f"{n / o['scan_s']:,.0f} | {speed:.2f}× | {o['noop_task_ms']:.2f} ms "
                    f"(1,000 at once: {o['noop_task_parallel_ms']:.2f} ms each) | "
                    f"{o['put_16mib_ms']:.0f} ms | {run.cpu:.1f} s | {run.maxrss_mib:,.0f} MiB | "
                    f"{run.tree_mib:,.0f} MiB | {run.load_start} → {run.load_end} | "
                    f"{check(fake, n, expected)} |")
                print(lines[-1], flush=True)
            for workers in (1, 2):
                run = scan_cli(f"threads {workers} worker(s), same files", [ray_root],
                               tmp / "report.json", env, "--workers", str(workers))
                results[f"threads{workers}"] = run
                lines.append(f"\nthe same files with threads, {workers} worker(s): {run.wall:.1f} s "
                             f"wall ({n / run.wall:,.0f} files/s), CPU {run.cpu:.1f} s, "
                             f"{run.maxrss_mib:,.0f} MiB, load {run.load_start} → {run.load_end}; "
                             f"{check(run, n, expected)}")
                print(lines[-1])
            profile = python_child("profile pack", PROFILE_CHILD, [str(n), str(ray_root)], env)
            results["profile_pack"] = profile.out
            p = profile.out
            lines.append(f"\ndriver's walk alone: {p['walk_s'] / p['members'] * 1e6:.0f} µs per "
                         f"member; the per-member step alone (one thread): "
                         f"{p['step_s'] / p['members'] * 1e6:.0f} µs per member "
                         f"({p['members']:,} members, load {profile.load_start} → "
                         f"{profile.load_end})")
            if 1 in ray_runs:
                tasks = -(-n // 256)
                over = (ray_runs[1]["scan_s"] - p["step_s"]) / tasks
                lines.append(f"Ray, 1 worker: ({ray_runs[1]['scan_s']:.1f} s − step "
                             f"{p['step_s']:.1f} s) / {tasks} tasks of ≤ 256 members = "
                             f"{over * 1000:.0f} ms per task (driver's walk, collect and store "
                             f"included)")
            print("\n".join(lines[-2:]))
            results["ray"] = ray_runs
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(["", "## results", *lines]))
    print("\nraw: " + json.dumps({k: (v.__dict__ if isinstance(v, Run) else v)
                                  for k, v in results.items()}, default=str))


if __name__ == "__main__":
    main()
