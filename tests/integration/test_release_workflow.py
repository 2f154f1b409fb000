"""The release workflow (.github/workflows/release.yml) has never run on GitHub from here: it is
checked against the GitHub workflow schema (check-jsonschema's built-in copy, offline), and its
smoke-test script is run locally against the source tree, as each runner runs it against the
built file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_the_release_workflow_matches_the_github_schema() -> None:
    result = schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_schema_check_refuses_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "release.yml"
    broken.write_text(WORKFLOW.read_text("utf-8").replace("runs-on:", "run-on:"), "utf-8")
    assert schema_check(broken).returncode != 0


def smoke_step() -> tuple[str, dict[str, str]]:
    document = YAML(typ="safe").load(WORKFLOW.read_text("utf-8"))
    (step,) = [s for s in document["jobs"]["build"]["steps"]
               if str(s.get("name", "")).startswith("Smoke test")]
    return step["run"], {k: str(v) for k, v in step.get("env", {}).items()}


@pytest.mark.slow
def test_the_smoke_test_script_passes_against_the_source_tree(tmp_path: Path) -> None:
    """The runner's script, with dist/sonos-inventory standing for `python -m sonos_inventory`
    (the demo and the guided demo bind and search loopback only)."""
    script, env = smoke_step()
    (tmp_path / "dist").mkdir()
    program = tmp_path / "dist" / "sonos-inventory"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sonos_inventory "$@"\n')
    program.chmod(0o755)
    env.update({"RUNNER_OS": "Linux", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"),
                "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)})
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(software-track conflict): Likely" in result.stdout
    assert list(tmp_path.glob("sonos-inventory-guide-demo-*/sonos-inventory-*/"
                              "sonos-support-bundle.zip"))
    assert not (tmp_path / "home").exists()  # no history: like demo, guide --demo keeps none
