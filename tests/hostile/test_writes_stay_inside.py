"""Every write stays inside the output, the config and the data directory.

onnxruntime's telemetry wrote a device id and a database under ~/.cache and a session file
in $TMPDIR on every run that loaded a model; a redaction staged its copy elsewhere. The
commands run here with HOME, TMPDIR and XDG folders pointed at empty places, which must
stay empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import builders as b
from tests.read.test_formats import face_png


def test_scan_and_redact_write_nowhere_else(tmp_path: Path) -> None:
    home, temp, config, data = (tmp_path / name for name in ("home", "tmp", "config", "data"))
    for folder in (home, temp, config, data):
        folder.mkdir()
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "a.docx").write_bytes(b.docx(["身份证号 110101199003071233"], images=[face_png()]))
    (pack / "b.xlsx").write_bytes(b.xlsx([["sjh"], ["13812345678"]]))
    (pack / "c.pdf").write_bytes(b.text_pdf(["ID 110101199003071233"]))
    (pack / "d.png").write_bytes(face_png())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ORT_"))}
    env.update(HOME=str(home), TMPDIR=str(temp), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local"),
               NOTFORSALE_CONFIG_DIR=str(config), NOTFORSALE_DB=f"sqlite:///{data}/db.sqlite")
    env.pop("NOTFORSALE_KEY", None)  # the key is made in the config directory
    command = [sys.executable, "-m", "notforsale.cli"]
    subprocess.run([*command, "scan", str(pack), "-f", "json", "-o", str(tmp_path / "r.json")],
                   env=env, capture_output=True, check=False, timeout=300)
    subprocess.run([*command, "redact", str(pack), str(tmp_path / "out")], env=env,
                   capture_output=True, check=False, timeout=300)
    assert (tmp_path / "r.json").exists() and (tmp_path / "out").is_dir()
    assert [p for p in home.rglob("*")] == []
    assert [p for p in temp.rglob("*")] == []
    assert [p.name for p in config.iterdir()] == ["key"]
