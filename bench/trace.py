"""Trace benchmark: hashing speed, recall per transform, false matches, index latency and memory.

Peer tool, measured in the same run: python-threatexchange (the library inside Meta's HMA) —
``PdqSignal.hash_from_bytes`` (HMA's hasher: Pillow at full size, PDQ, hashes of quality
under 50 dropped), whole-image PDQ at HMA's threshold 31 without dihedral variants, and its
``PDQMultiHashIndex`` (FAISS multi-hash, 16 tables, nflip = 31 // 16).

Data (say which is which):
- *tuning set*: the 19 shared real photos (``shared/data/faces`` and ``persons``); the
  window parameters (16 corners, pairs >= 0.3 of the side, 512-pixel grey copy) were chosen
  on them;
- *held-out set*: 15 real photos bundled in scikit-image's wheel (camera, coins, moon, the
  Hubble deep field, a retina, a rocket launch, a motorcycle, textures, cell and tissue
  micrographs, two scanned pages), never looked at while tuning;
- *unrelated queries*: for each of those 34 photos, random crops (30-70 % of each side, at
  random places), randomly turned or mirrored, resized to 200-900 pixels and re-encoded at
  JPEG quality 40-95; a query is only ever compared with the *other* photos' entries, so any
  match is false. Crops of one photo overlap each other, so the queries are correlated: the
  honest count of independent scenes is lower than the number of queries (reported). The
  pair (two_people.jpg, biden_1.jpg) is excluded: they are two crops of one photograph;
- *ID cards*: cards of one template (``notforsale.demo.id_card_image``) with different
  portraits and numbers: near matches by design; a confirmed match between two different
  cards is a false match;
- *index*: uniformly random 256-bit codes (1 M and 10 M), with planted neighbours.

Run: ``.venv/bin/python bench/trace.py`` (``make bench-all`` installs the bench extra).
One core: OMP/BLAS threads are set to 1 before numpy/FAISS load.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from photos import SHARED_FACES, cpu_model, load_average  # noqa: E402

SHARED = SHARED_FACES.parent
HELD_OUT = ["camera.png", "coins.png", "moon.png", "hubble_deep_field.jpg", "retina.jpg",
            "rocket.jpg", "motorcycle_left.png", "clock_motion.png", "brick.png", "grass.png",
            "gravel.png", "cell.png", "ihc.png", "page.png", "text.png"]
RELATED = {frozenset(("two_people.jpg", "biden_1.jpg"))}
THRESHOLD = 31


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def load_photos() -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(tuning, held-out): file name -> the file's bytes."""
    from importlib import resources

    tuning = {p.name: p.read_bytes() for folder in ("faces", "persons")
              for p in sorted((SHARED / folder).glob("*.*")) if p.suffix in (".jpg", ".png")}
    skimage_data = Path(str(resources.files("skimage") / "data"))
    held = {name: (skimage_data / name).read_bytes() for name in HELD_OUT}
    return tuning, held


def rgb(data: bytes):  # type: ignore[no-untyped-def]
    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB")


def jpeg(image, quality: int = 85) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


# -- transforms ---------------------------------------------------------------------------

def transforms() -> dict[str, tuple[str, Callable]]:  # type: ignore[type-arg]
    from PIL import Image, ImageDraw, ImageEnhance, ImageOps

    def crop(left: float, top: float, right: float, bottom: float) -> Callable:  # type: ignore[type-arg]
        def apply(im):  # type: ignore[no-untyped-def]
            w, h = im.size
            return im.crop((round(w * left), round(h * top), round(w * (1 - right)),
                            round(h * (1 - bottom))))
        return apply

    def band(share: float, top: bool = False) -> Callable:  # type: ignore[type-arg]
        def apply(im):  # type: ignore[no-untyped-def]
            out = im.copy()
            draw = ImageDraw.Draw(out)
            w, h = out.size
            y0 = 0 if top else h - round(h * share)
            draw.rectangle((0, y0, w, y0 + round(h * share)), fill=(255, 255, 255))
            draw.text((8, y0 + 4), "5000 faces  vx: facepack88  10 yuan", fill=(0, 0, 0))
            return out
        return apply

    def watermark(im):  # type: ignore[no-untyped-def]
        out = im.convert("RGBA")
        layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        w, h = out.size
        for row in range(4):
            draw.text((w // 8, h * (row + 1) // 5), "@facepack88  sample  @facepack88",
                      fill=(255, 255, 255, 110))
        return Image.alpha_composite(out, layer).convert("RGB")

    def scale(factor: float) -> Callable:  # type: ignore[type-arg]
        return lambda im: im.resize((max(8, round(im.size[0] * factor)),
                                     max(8, round(im.size[1] * factor))),
                                    Image.Resampling.BILINEAR)

    table: dict[str, tuple[str, Callable]] = {}  # type: ignore[type-arg]
    for quality in (30, 50, 70, 90):
        table[f"jpeg q{quality}"] = ("re-encoding", lambda im, q=quality: ("q", im, q))
    for factor in (0.25, 0.5, 1.5, 2.0):
        table[f"resize {factor}x"] = ("resizing", scale(factor))
    for factor in (0.7, 1.3):
        table[f"brightness {factor}"] = ("brightness/contrast",
                                         lambda im, f=factor: ImageEnhance.Brightness(im)
                                         .enhance(f))
    for factor in (0.7, 1.4):
        table[f"contrast {factor}"] = ("brightness/contrast",
                                       lambda im, f=factor: ImageEnhance.Contrast(im)
                                       .enhance(f))
    table["crop 2% each side"] = ("crops", crop(.02, .02, .02, .02))
    table["crop 4% each side"] = ("crops", crop(.04, .04, .04, .04))
    table["crop 5% each side"] = ("crops", crop(.05, .05, .05, .05))
    table["crop 10% left"] = ("crops", crop(.10, 0, 0, 0))
    table["crop 10% bottom"] = ("crops", crop(0, 0, 0, .10))
    table["crop 10% left+top"] = ("crops", crop(.10, .10, 0, 0))
    table["caption band bottom 10%"] = ("caption/watermark", band(0.10))
    table["caption band top 12%"] = ("caption/watermark", band(0.12, top=True))
    table["text watermark"] = ("caption/watermark", watermark)
    table["rotate 90"] = ("rotations/flips", lambda im: im.transpose(Image.Transpose.ROTATE_90))
    table["rotate 180"] = ("rotations/flips",
                           lambda im: im.transpose(Image.Transpose.ROTATE_180))
    table["rotate 270"] = ("rotations/flips",
                           lambda im: im.transpose(Image.Transpose.ROTATE_270))
    table["mirror"] = ("rotations/flips", ImageOps.mirror)
    table["mirror + jpeg q50"] = ("rotations/flips", lambda im: ("q", ImageOps.mirror(im), 50))
    table["crop 4% + mirror"] = ("combined (no target)",
                                 lambda im: ImageOps.mirror(crop(.04, .04, .04, .04)(im)))
    return table


def encoded(transform: Callable, image) -> bytes:  # type: ignore[type-arg, no-untyped-def]
    out = transform(image)
    if isinstance(out, tuple):
        return jpeg(out[1], out[2])
    return jpeg(out, 85)


# -- sections -----------------------------------------------------------------------------

def speed(files: list[bytes], rounds: int = 3) -> dict[str, float]:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    from notforsale.trace.hashing import hash_bytes
    from notforsale.trace.matcher import query_bytes

    def rate(function: Callable[[bytes], object]) -> float:  # type: ignore[type-arg]
        best = []
        for _ in range(rounds):
            start = time.perf_counter()
            for data in files:
                function(data)
            best.append(len(files) / (time.perf_counter() - start))
        return statistics.median(best)

    peer = rate(PdqSignal.hash_from_bytes)
    listing = rate(hash_bytes)
    query = rate(query_bytes)
    return {"images": len(files), "hma_per_s": round(peer, 1), "list_per_s": round(listing, 1),
            "query_per_s": round(query, 1), "list_ratio": round(listing / peer, 2),
            "query_ratio": round(query / peer, 2)}


def stored_matcher(photos: dict[str, bytes]):  # type: ignore[no-untyped-def]
    from notforsale.trace.hashing import hash_bytes
    from notforsale.trace.hashlist import HashEntry, HashList
    from notforsale.trace.matcher import Matcher

    entries = []
    documents = set()
    for name, data in photos.items():
        hashed = hash_bytes(data)
        entries.append(HashEntry(name, hashed.hashes, hashed.document))
        if hashed.document:
            documents.add(name)
    return Matcher([HashList("bench", tuple(entries))]), documents, entries


def recall(photos: dict[str, bytes], label: str) -> dict[str, object]:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    from notforsale.trace.matcher import query_bytes
    from notforsale.trace.signals import PDQ

    matcher, documents, matcher_entries = stored_matcher(photos)
    peer_stored = {name: PdqSignal.hash_from_bytes(data) for name, data in photos.items()}
    rows = {}
    for name, (group, transform) in transforms().items():
        found = confirmed = peer = 0
        counted = 0
        missed = []
        for source, data in photos.items():
            copy = encoded(transform, rgb(data))
            matches = [m for m in matcher.match(query_bytes(copy)) if m.entry == source]
            found += bool(matches)
            if source not in documents:
                counted += 1
                confirmed += any(m.confirmed for m in matches)
                if not any(m.confirmed for m in matches):
                    missed.append(source if matches else f"{source} (no match)")
            theirs = PdqSignal.hash_from_bytes(copy)
            peer += bool(theirs and peer_stored[source]) and \
                PDQ.compare(theirs, peer_stored[source]).distance <= THRESHOLD
        rows[name] = {"group": group, "found": found, "of": len(photos),
                      "confirmed": confirmed, "of_non_documents": counted,
                      "recall": round(confirmed / max(counted, 1), 3),
                      "hma_recall": round(peer / len(photos), 3), "missed": missed}
    weak = sorted(e.id for e in matcher_entries if e.whole.weak)
    return {"set": label, "photos": len(photos), "documents": sorted(documents),
            "weak": weak, "transforms": rows}


def unrelated_queries(photos: dict[str, bytes], count: int, seed: int = 0):  # type: ignore[no-untyped-def]
    from PIL import Image

    rng = random.Random(seed)
    names = sorted(photos)
    images = {name: rgb(photos[name]) for name in names}
    ops = list(Image.Transpose)[:7]
    for number in range(count):
        source = names[number % len(names)]
        image = images[source]
        w, h = image.size
        cw, ch = round(w * rng.uniform(0.3, 0.7)), round(h * rng.uniform(0.3, 0.7))
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        piece = image.crop((x, y, x + cw, y + ch))
        turn = rng.randrange(8)
        if turn:
            piece = piece.transpose(ops[turn - 1])
        side = rng.randint(200, 900)
        factor = side / max(piece.size)
        piece = piece.resize((max(8, round(piece.size[0] * factor)),
                              max(8, round(piece.size[1] * factor))))
        yield source, jpeg(piece, rng.randint(40, 95))


def false_matches(photos: dict[str, bytes], count: int) -> dict[str, object]:
    from notforsale.trace.matcher import query_bytes

    matcher, _, entries = stored_matcher(photos)
    stored_hashes = sum(len(e.hashes) for e in entries)
    false_confirmed = false_any = same_source = 0
    lookups = 0
    examples: list[tuple[str, str, int, str]] = []
    start = time.perf_counter()
    for source, data in unrelated_queries(photos, count):
        query = query_bytes(data)
        lookups += len(query.whole) + len(query.windows)
        found = matcher.match(query)
        others = [m for m in found if m.entry != source
                  and frozenset((m.entry, source)) not in RELATED]
        same_source += any(m.entry == source for m in found)
        false_any += bool(others)
        if any(m.confirmed for m in others):
            false_confirmed += 1
            best = next(m for m in others if m.confirmed)
            if len(examples) < 5:
                examples.append((source, best.entry, best.distance, best.signal))
    seconds = time.perf_counter() - start
    return {"queries": count, "source_photos": len(photos), "stored_entries": len(entries),
            "stored_hashes": stored_hashes, "query_hashes": lookups,
            "hash_comparisons": lookups * stored_hashes,
            "false_confirmed": false_confirmed, "false_any": false_any,
            "rate_confirmed": false_confirmed / count, "rate_any": false_any / count,
            "matched_own_source": same_source, "examples": examples,
            "seconds": round(seconds, 1)}


def id_cards(portraits: list[bytes]) -> dict[str, object]:
    from PIL import ImageOps

    from notforsale.demo import id_card_image
    from notforsale.trace.hashing import hash_bytes
    from notforsale.trace.hashlist import HashEntry, HashList
    from notforsale.trace.matcher import Matcher, query_bytes

    rng = random.Random(3)
    cards = [id_card_image(rgb(data), f"1101011990{rng.randrange(10**7, 10**8)}")
             for data in portraits]
    half = len(cards) // 2
    hashed = [hash_bytes(card) for card in cards[:half]]
    stored = [HashEntry(f"card{i}", h.hashes, h.document) for i, h in enumerate(hashed)]
    matcher = Matcher([HashList("cards", tuple(stored))])
    same_confirmed = 0
    for i, card in enumerate(cards[:half]):
        copy = jpeg(ImageOps.mirror(rgb(card)), 60)
        same_confirmed += any(m.entry == f"card{i}" and m.confirmed
                              for m in matcher.match(query_bytes(copy)))
    near = confirmed_false = 0
    for card in cards[half:]:
        found = matcher.match(query_bytes(jpeg(rgb(card), 80)))
        near += bool(found)
        confirmed_false += any(m.confirmed for m in found)
    return {"stored_cards": half, "copies_confirmed": same_confirmed,
            "other_cards": len(cards) - half, "other_cards_near_match": near,
            "other_cards_confirmed": confirmed_false,
            "documents": sum(e.document for e in stored)}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def index_run(size: int, tool: str, queries: int = 400) -> dict[str, object]:
    """One index size with one tool, in this process (run in a child for clean memory)."""
    import faiss

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(11)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    near = codes[rng.integers(0, size, queries // 2)].copy()
    for row in near:
        for bit in rng.choice(256, int(rng.integers(0, 32)), replace=False):
            row[bit // 8] ^= 1 << (7 - bit % 8)
    probes = np.concatenate([near, rng.integers(0, 256, (queries - len(near), 32),
                                                dtype=np.uint8)])
    hex_codes = [c.tobytes().hex() for c in codes] if tool == "hma" else None
    del_codes = tool == "hma"
    before = _rss_mb()
    start = time.perf_counter()
    if tool == "notforsale":
        from notforsale.trace.index import HashIndex

        index = HashIndex(codes)

        def one(probe: np.ndarray) -> int:
            return len(index.search(probe[None, :], THRESHOLD)[0])

        def image(batch: np.ndarray) -> int:
            return sum(len(hits) for hits in index.search(batch, THRESHOLD))
    else:
        from threatexchange.signal_type.pdq.pdq_faiss_matcher import PDQMultiHashIndex

        peer = PDQMultiHashIndex()
        assert hex_codes is not None
        peer.add(hex_codes, range(size))

        def one(probe: np.ndarray) -> int:
            value = probe.tobytes().hex()
            return len(peer.search_with_distance_in_result([value], THRESHOLD)[value])

        def image(batch: np.ndarray) -> int:
            values = [p.tobytes().hex() for p in batch]
            found = peer.search_with_distance_in_result(values, THRESHOLD)
            return sum(len(found[v]) for v in values)
    build = time.perf_counter() - start
    if del_codes:
        del hex_codes
    memory = _rss_mb() - before
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    latencies, hits = [], 0
    for probe in probes:
        start = time.perf_counter()
        hits += bool(one(probe))
        latencies.append((time.perf_counter() - start) * 1000)
    # One picture's lookups in one call: 8 dihedral variants, 16 windows and their mirrors.
    per_image = []
    for number in range(40):
        batch = probes[(number * 40) % (queries - 40):][:40]
        start = time.perf_counter()
        image(batch)
        per_image.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return {"size": size, "tool": tool, "build_s": round(build, 1),
            # The multi-index keeps the codes array it was given; FAISS copies them inside.
            "index_mb": round(memory + (codes.nbytes / 2**20 if tool == "notforsale" else 0)),
            "memory_mb": round(memory), "codes_mb": round(codes.nbytes / 2**20),
            "peak_rss_mb": round(peak), "median_ms": round(statistics.median(latencies), 3),
            "p99_ms": round(latencies[int(0.99 * len(latencies)) - 1], 3),
            "planted_found": hits, "planted": queries // 2,
            "image_median_ms": round(statistics.median(per_image), 2)}


def index_section(sizes: list[int], peer_sizes: list[int]) -> list[dict[str, object]]:
    out = []
    for size in sizes:
        for tool in ("notforsale", "hma"):
            if tool == "hma" and size not in peer_sizes:
                continue
            child = subprocess.run([sys.executable, __file__, "--index-child", str(size), tool],
                                   capture_output=True, text=True, check=True)
            out.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(json.dumps(out[-1]), file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=10_000,
                        help="unrelated queries for the false-match count")
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--peer-sizes", default="1000000,10000000")
    parser.add_argument("--skip", default="", help="sections to skip: speed,recall,false,"
                        "cards,index")
    parser.add_argument("--index-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_child:
        print(json.dumps(index_run(int(args.index_child[0]), args.index_child[1])))
        return
    import cv2

    cv2.setNumThreads(1)
    skip = set(filter(None, args.skip.split(",")))
    report: dict[str, object] = {"date": time.strftime("%Y-%m-%d %H:%M"),
                                 "commit": _git_commit(), "cpu": cpu_model(),
                                 "load_before": load_average()}
    tuning, held = load_photos()
    if "speed" not in skip:
        from PIL import Image

        files = []
        for data in list(tuning.values()) + list(held.values()):
            image = rgb(data)
            for side in (640, 960, 1280):
                factor = side / max(image.size)
                files.append(jpeg(image.resize((round(image.size[0] * factor),
                                                round(image.size[1] * factor)),
                                               Image.Resampling.LANCZOS), 85))
        report["speed"] = speed(files)
        print(json.dumps(report["speed"]), file=sys.stderr)
    if "recall" not in skip:
        report["recall"] = [recall(tuning, "tuning (19 shared photos)"),
                            recall(held, "held-out (15 scikit-image photos)")]
    if "false" not in skip:
        report["false_matches"] = false_matches({**tuning, **held}, args.queries)
        print(json.dumps(report["false_matches"]), file=sys.stderr)
    if "cards" not in skip:
        portraits = [tuning[n] for n in sorted(tuning) if n not in ("city.jpg",
                                                                    "no_face_cat.png",
                                                                    "no_face_coffee.png")]
        report["id_cards"] = id_cards(portraits)
        print(json.dumps(report["id_cards"]), file=sys.stderr)
    if "index" not in skip:
        report["index"] = index_section([int(s) for s in args.sizes.split(",")],
                                        [int(s) for s in args.peer_sizes.split(",") if s])
    report["load_after"] = load_average()
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
