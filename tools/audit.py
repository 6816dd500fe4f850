"""`make audit`: the pinned dependencies (constraints.txt) against PyPI's advisories, with pip-audit.

A known vulnerability fails the step. A pin pip-audit could not look up (PyPI's per-release JSON
API unreachable: some registry mirrors serve only the project pages) is listed loudly as NOT
checked; the step then passes unless MINYI_REQUIRE_AUDIT=1, so that a mirror without that API does
not stop CI, and nobody can mistake such a run for a clean audit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json"]
    result = subprocess.run([*command, "-r", str(ROOT / "constraints.txt")], capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"make audit FAILED: pip-audit gave no report (exit {result.returncode}):\n{result.stderr}")
        return 1
    found = [(d["name"], d["version"], v) for d in report["dependencies"] for v in d.get("vulns", [])]
    skipped = [d for d in report["dependencies"] if "skip_reason" in d]
    checked = len(report["dependencies"]) - len(skipped)
    for name, version, vuln in found:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
        print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in {fixed})")
    if skipped:
        print(
            f"make audit: {len(skipped)} of {len(report['dependencies'])} pins were NOT checked for known "
            f"vulnerabilities, e.g. {skipped[0]['skip_reason']}",
            file=sys.stderr,
        )
    if found:
        print(f"make audit FAILED: {len(found)} known vulnerabilities; raise those pins in constraints.txt.")
        return 1
    if skipped and os.environ.get("MINYI_REQUIRE_AUDIT") == "1":
        print("make audit FAILED: MINYI_REQUIRE_AUDIT=1 and not every pin could be checked.")
        return 1
    print(f"make audit: no known vulnerability in the {checked} pins that could be checked.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
