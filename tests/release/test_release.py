"""The release tarball, built and checked as Galaxy does (scripts/test.sh, stage galaxy; docs/testing.md).

A copy of the checkout, with the leftovers a developer's checkout holds after a test run planted in it, is
released the way a maintainer releases: antsibull-changelog writes CHANGELOG.md from the fragments, then
`ansible-galaxy collection build` makes the tarball. The tests check what the tarball holds, run
galaxy-importer on it offline, and install it into an empty collections path where the demo must run.
Runs in the release tools' venv (.build/tools, tests/requirements-tools.txt), not in the main suite.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
# What a checkout holds after tests ran and that must never ship (each is kept out by build_ignore).
LEFTOVERS = [
    ".hypothesis/examples/0a1b/2c3d",
    ".pytest_cache/v/cache/lastfailed",
    ".venv/bin/python",
    ".venv-old/bin/python",
    ".build/emulated-host/bin/python",
    ".ansible/tmp/x",
    ".ci/run",
    "tests/output/.tmp/x",
    "plugins/module_utils/__pycache__/wts.cpython-312.pyc",
    "wtsadmin-rds-0.0.1.tar.gz",
]
# The top level of the tarball: what users of the collection need. tests/config.yml ships because
# Galaxy's and Automation Hub's ansible-test sanity reads the modules' Python versions from it.
ALLOWED = {
    "MANIFEST.json", "FILES.json", "README.md", "COPYING", "CHANGELOG.md", "requirements.txt", "bindep.txt",
    "meta", "plugins", "roles", "docs", "examples", "playbooks", "changelogs", "extensions", "tests",
}
DEVELOPMENT_ONLY = [
    r"^\.", r"/\.", r"__pycache__", r"\.pyc$", r"^scripts/", r"^tests/(?!config\.yml$)", r"^docs/site/",
    r"^changelogs/fragments/", r"^pytest\.ini$", r"\.tar\.gz$", r"^playbooks/(demo|inventory)\.yml$",
    r"^playbooks/ansible\.cfg$",
]


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.update(kwargs.pop("env", {}))
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """Releases a copy of the checkout and returns the tarball."""
    work = tmp_path_factory.mktemp("release")
    tree = work / "ansible_collections" / "wtsadmin" / "rds"
    tree.mkdir(parents=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
    for name in LEFTOVERS:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text("left over from a test run\n")
    done = _run([str(BIN / "antsibull-changelog"), "release", "--date", "2026-12-01"], cwd=tree)
    assert done.returncode == 0, done.stdout + done.stderr
    done = _run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(work)], cwd=tree)
    assert done.returncode == 0, done.stdout + done.stderr
    return work / f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"


def _members(tarball: Path) -> list[str]:
    with tarfile.open(tarball) as tar:
        return [m.name for m in tar.getmembers() if m.isfile()]


def test_the_tarball_holds_only_what_users_need(release: Path) -> None:
    members = _members(release)
    assert {m.split("/", 1)[0] for m in members} <= ALLOWED
    shipped_junk = [m for m in members if any(re.search(p, m) for p in DEVELOPMENT_ONLY)]
    assert shipped_junk == []
    for needed in ("plugins/modules/win_rds_session_info.py", "plugins/action/win_rds_session_info.py",
                   "plugins/module_utils/wts.py", "meta/runtime.yml", "roles/rds_drain/tasks/main.yml",
                   "tests/config.yml", "CHANGELOG.md", "changelogs/changelog.yaml"):
        assert needed in members


def _plain(text: str) -> str:
    """Text without line breaks and markup: antsibull-changelog joins a fragment's folded lines, turns its RST
    markup into Markdown (``literal`` into <code>literal</code>, *x* into <em>x</em>) and escapes Markdown's
    special characters."""
    return " ".join(re.sub(r"[`*\\]", "", re.sub(r"</?(?:code|em|strong|b|i)>", "", text)).split())


def test_the_tarball_has_a_changelog_generated_from_the_fragments(release: Path) -> None:
    with tarfile.open(release) as tar:
        changelog = tar.extractfile("CHANGELOG.md").read().decode()
        released = yaml.safe_load(tar.extractfile("changelogs/changelog.yaml").read())
    fragments = sorted((ROOT / "changelogs" / "fragments").glob("*.yml"))
    assert set(released["releases"][GALAXY["version"]]["fragments"]) == {f.name for f in fragments}
    # Every fragment's entries are in the changelog, except those of the trivial section, which
    # antsibull-changelog never renders (changelogs/config.yaml, trivial_section_name).
    trivial = yaml.safe_load((ROOT / "changelogs" / "config.yaml").read_text(encoding="utf-8"))["trivial_section_name"]
    flat = _plain(changelog)
    assert f"v{GALAXY['version']}" in flat
    for fragment in fragments:
        for section, entries in yaml.safe_load(fragment.read_text(encoding="utf-8")).items():
            # RST, not ansible-doc markup: antsibull-changelog prints C(x) as it stands, links C(a@b) as mail
            # and drops the backslash of C(CONTOSO\alice); ``x`` keeps it.
            assert not re.search(r"\b[BCIMOV]\(", str(entries)), f"{fragment.name}: use ``x`` rather than C(x)"
            if section == trivial:
                assert _plain(str(entries))[:40] not in flat, f"{fragment.name}: a trivial entry is in CHANGELOG.md"
                continue
            for entry in entries if isinstance(entries, list) else [entries]:
                start = _plain(str(entry))[:40]
                assert start in flat, f"{fragment.name} ({section}): {start!r} missing from CHANGELOG.md"


def test_the_tarball_says_which_ansible_core_it_needs(release: Path) -> None:
    with tarfile.open(release) as tar:
        runtime = yaml.safe_load(tar.extractfile("meta/runtime.yml").read())
        manifest = json.loads(tar.extractfile("MANIFEST.json").read())
    # the oldest version the matrix tests (scripts/_setup.sh, "CORE_MATRIX=(2.16:3.11 ...)")
    matrix = re.search(r"^CORE_MATRIX=\(([0-9.]+):", (ROOT / "scripts" / "_setup.sh").read_text(), re.MULTILINE)
    assert runtime["requires_ansible"] == ">=%s.0" % matrix.group(1)
    assert manifest["collection_info"]["version"] == GALAXY["version"]


def test_galaxy_importer_passes_without_errors_or_warnings(release: Path, tmp_path: Path) -> None:
    """galaxy-importer as Galaxy runs it, offline: ansible-doc and ansible-lint from this venv (no container;
    tests/release/galaxy-importer.cfg says why ansible-test is the sanity stage's job)."""
    done = _run([str(BIN / "python"), "-m", "galaxy_importer.main", str(release)], cwd=tmp_path, env={
        "GALAXY_IMPORTER_CONFIG": str(ROOT / "tests" / "release" / "galaxy-importer.cfg"),
        "GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP": str(tmp_path / "ansible-tmp"),
        "HOME": str(tmp_path),
    })
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Importing with galaxy-importer" in output
    assert "...ansible-lint run complete" in output
    problems = [line for line in output.splitlines() if re.match(r"(WARNING|ERROR|CRITICAL)\b", line)]
    assert problems == [], output


def test_the_installed_tarball_runs_the_demo(release: Path, tmp_path: Path) -> None:
    clean = tmp_path / "collections"
    done = _run([str(BIN / "ansible-galaxy"), "collection", "install", str(release), "-p", str(clean)],
                cwd=tmp_path, env={"ANSIBLE_COLLECTIONS_PATH": str(clean), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    installed = clean / "ansible_collections" / "wtsadmin" / "rds"
    assert (installed / "MANIFEST.json").is_file()
    state = tmp_path / "demo-state.json"
    demo_env = {
        "ANSIBLE_CONFIG": str(ROOT / "playbooks" / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(clean),  # only the installed tarball, not the checkout
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "RDS_EMULATOR_STATE": str(state),
        "HOME": str(tmp_path),
    }
    done = _run([str(BIN / "ansible-playbook"), "-i", "playbooks/inventory.yml", "playbooks/demo.yml"],
                cwd=ROOT, env=demo_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed=0" in done.stdout
    assert re.search(r"active: \d+", done.stdout)
    # The module really came from the installed copy.
    listed = _run([str(BIN / "ansible-doc"), "--json", "wtsadmin.rds.win_rds_session_info"],
                  env={"ANSIBLE_COLLECTIONS_PATH": str(clean), "HOME": str(tmp_path)})
    assert str(installed) in json.loads(listed.stdout)["wtsadmin.rds.win_rds_session_info"]["doc"]["filename"]
