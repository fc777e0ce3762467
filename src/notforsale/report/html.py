"""A self-contained HTML report an auditor can hand on.

One file, no external resources: totals, the profiles (most severe first),
findings per file, errors. Values are masked, fingerprints keyed, and every
thumbnail is blurred all over with its faces filled (see
:func:`notforsale.vision.analyze.blurred_thumbnail`). Jinja2 escapes every value.
"""

from __future__ import annotations

import base64
import datetime
from collections import defaultdict
from importlib import resources

from jinja2 import Environment, select_autoescape

from .. import __version__
from ..model import FACE, ScanResult

#: Findings shown in the HTML report at most (all are in the JSON report).
HTML_FINDINGS = 20_000


def render_html(result: ScanResult, title: str = "notforsale scan report") -> str:
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = environment.from_string(
        (resources.files("notforsale.report") / "templates" / "report.html").read_text("utf-8"))
    by_file: dict[str, list[object]] = defaultdict(list)
    shown = 0
    for item in result.findings:
        if shown >= HTML_FINDINGS:
            break  # a page for people: the JSON report lists every finding
        by_file[item.location.path].append(item)
        shown += 1
    thumbnails = {path: "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
                  for path, data in result.thumbnails.items()}
    return template.render(
        title=title,
        version=__version__,
        generated=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=result.summary(),
        profiles=result.profiles,
        files=sorted(by_file.items()),
        errors=result.errors[:HTML_FINDINGS],
        skipped=result.skipped[:HTML_FINDINGS],
        findings_not_shown=max(0, len(result.findings) - HTML_FINDINGS),
        thumbnails=thumbnails,
        face_type=FACE,
    )
