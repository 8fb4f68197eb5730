"""Audit the locked dependencies with pip-audit: fail on any known advisory not ignored.

pip-audit looks each locked version up on PyPI. Where PyPI's per-version data is out of reach
(a registry mirror that serves packages but not advisories), every lookup is skipped and
pip-audit would report "no known vulnerabilities"; this says instead, loudly, that nothing was
checked, and which packages were not, without failing the build for the network's sake."""

from __future__ import annotations

import json
import subprocess
import sys

IGNORED = sys.argv[1:]  # advisory ids, each with its reason in the Makefile


def main() -> int:
    command = [
        sys.executable, "-m", "pip_audit", "--requirement", "requirements.lock", "--no-deps",
        "--progress-spinner", "off", "--format", "json",
        *(argument for advisory in IGNORED for argument in ("--ignore-vuln", advisory)),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own arguments
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(run.stderr, file=sys.stderr)
        print("pip-audit gave no report", file=sys.stderr)
        return 2
    dependencies = report["dependencies"]
    found = [(d["name"], d["version"], v["id"]) for d in dependencies for v in d.get("vulns", [])]
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    for name, version, advisory in found:
        print(f"{name} {version}: {advisory}")
    if skipped:
        print(
            f"NOT AUDITED: {len(skipped)} of {len(dependencies)} locked dependencies could not be "
            f"looked up on PyPI from here: {', '.join(skipped[:10])}"
            + (", …" if len(skipped) > 10 else "")
        )
    checked = len(dependencies) - len(skipped)
    print(f"{checked} dependencies audited, {len(found)} advisories, {len(IGNORED)} ignored")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
