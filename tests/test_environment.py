"""The environment readers get: requirements.txt, the lock made from it, Binder and CI agree."""

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", re.M)


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text):
    return {normalise(m.group(1)): m.group(3) for m in PIN.finditer(text)}


def test_the_lock_agrees_with_requirements_txt():
    """Every pin of requirements.txt stands in the lock at the same version: `make lock` was run
    after the last edit."""
    wanted = pins((ROOT / "requirements.txt").read_text())
    locked = pins((ROOT / "requirements.lock").read_text())
    assert len(wanted) > 10 and len(locked) > len(wanted)
    stale = {name: (version, locked.get(name)) for name, version in wanted.items()
             if locked.get(name) != version}
    assert not stale, f"requirements.lock is stale (run `make lock`): {stale}"


def test_the_lock_pins_every_package_with_hashes():
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert all("==" in e and "--hash=sha256:" in e for e in entries if e.strip()), \
        "every locked package needs an exact version and a hash"
    assert "modelcollapse" not in pins(text), "the package itself is installed editable, not locked"


def test_binder_and_ci_use_the_same_python_and_the_lock():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    version = runtime.removeprefix("python-")
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        for found in re.findall(r'python-version:\s*"([^"]+)"', workflow.read_text()):
            assert found == version, f"{workflow.name} tests Python {found}, Binder runs {version}"
    assert "--python-version " + version in (ROOT / "requirements.lock").read_text()
    assert "-r ../requirements.lock" in (ROOT / "binder" / "requirements.txt").read_text()
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()


def test_the_notebooks_extra_declares_what_the_notebooks_import():
    """What a notebook imports (and modelcollapse.report's glue, myst-nb) is the package's own
    dependencies plus the extras its install cell names (`notebooks`; `neural` too for the
    transformer's): Colab installs exactly that."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    distribution = {"IPython": "ipython", "myst_nb": "myst-nb"}
    for path in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("book/*/*.ipynb")]:
        sources = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                   if c["cell_type"] == "code"]
        named = set(re.findall(r"modelcollapse\[([\w,]+)\]", "".join(sources)))
        installed = {"notebooks"} | {extra for group in named for extra in group.split(",")}
        declared = {normalise(re.split(r"[<>=\[ ]", r)[0])
                    for r in project["dependencies"] + [r for e in installed for r in extras[e]]}
        imported = {"myst_nb"}
        for source in sources:
            imported |= set(re.findall(r"^\s*(?:from|import)\s+(\w+)", source, re.M))
        needed = {normalise(distribution.get(m, m)) for m in imported
                  if m not in sys.stdlib_module_names and m != "modelcollapse"}
        assert needed <= declared, f"{path.name} imports what its install cell does not: {needed - declared}"


#: The first major of each action that runs on Node 24 (GitHub's runners dropped Node 20).
FIRST_NODE24_MAJOR = {"actions/checkout": 5, "actions/setup-python": 6, "actions/cache": 5,
                      "actions/upload-artifact": 6, "actions/upload-pages-artifact": 5,
                      "actions/deploy-pages": 5}


def workflow(name):
    import yaml

    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_workflows_use_node24_actions_and_gate_publishing_on_ci():
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        for action, major in re.findall(r"uses:\s*([\w-]+/[\w-]+)@v(\d+)", path.read_text()):
            assert action in FIRST_NODE24_MAJOR, f"{path.name}: {action} is not vetted for Node 24"
            assert int(major) >= FIRST_NODE24_MAJOR[action], f"{path.name}: {action}@v{major} runs on Node 20"
    ci, pages = workflow("ci.yml"), workflow("pages.yml")
    triggers = ci[True]  # YAML reads the key `on` as True
    assert {"pull_request", "workflow_call"} <= set(triggers)
    assert pages[True]["push"]["branches"] == ["main"]
    jobs = pages["jobs"]
    assert jobs["checks"]["uses"] == "./.github/workflows/ci.yml"
    assert jobs["build"]["needs"] == "checks" and jobs["deploy"]["needs"] == "build"
    # Least privilege: nothing by default; write access only where the deploy needs it.
    assert ci["permissions"] == {"contents": "read"} and pages["permissions"] == {}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert ci["jobs"]["ci"]["steps"][1]["with"]["cache"] == "pip"
