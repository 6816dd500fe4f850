"""Bring the front-end libraries minyi serves itself (ECharts) and the Chinese font its PDF reports
embed (Noto Sans SC, as TrueType) from the npm registry, at set-up time.

frontend/package.json names the packages and, under "minyi" → "vendor", which files of each to
serve; frontend/package-lock.json pins their versions and integrity hashes (regenerate it with
`npm install --package-lock-only` after changing a version). This script fetches each tarball from
the npm registry (NPM_CONFIG_REGISTRY, default https://registry.npmjs.org), checks it against the
lock file's sha512, and copies the named files into minyi/web/static/vendor/<package>/ (and those under
"minyi" → "fonts" into minyi/reports/fonts/). It needs only
Python, so a machine without Node.js can run `make demo`; nothing is fetched when the files of the
pinned version are already there, and no page ever loads a script from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
TARGET = ROOT / "minyi" / "web" / "static" / "vendor"
FONTS = ROOT / "minyi" / "reports" / "fonts"


def registry() -> str:
    return os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def fetch(name: str, version: str, integrity: str) -> bytes:
    url = f"{registry()}/{name}/-/{name.split('/')[-1]}-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
    except OSError as exc:
        raise SystemExit(f"vendor_assets: cannot download {url}: {exc}") from None
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"vendor_assets: {url} does not match the integrity hash of package-lock.json")
    return data


def bring(name: str, files: list[str], folder: Path, lock: dict) -> None:
    """The named files of one pinned package into `folder`, unless that version is there already."""
    pinned = lock["packages"][f"node_modules/{name}"]
    version = pinned["version"]
    stamp = folder / ".version"
    present = all((folder / Path(f).name).exists() for f in files)
    if present and stamp.exists() and stamp.read_text().strip() == version:
        return
    data = fetch(name, version, pinned["integrity"])
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for wanted in files:
            member = archive.extractfile(f"package/{wanted}")
            if member is None:
                raise SystemExit(f"vendor_assets: {name}@{version} has no file {wanted}")
            (folder / Path(wanted).name).write_bytes(member.read())
    stamp.write_text(version)
    print(f"vendor_assets: {name}@{version} → {folder.relative_to(ROOT)}")


def main() -> int:
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    for name, files in package["minyi"]["vendor"].items():
        bring(name, files, TARGET / name, lock)
    for name, files in package["minyi"].get("fonts", {}).items():
        bring(name, files, FONTS, lock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
