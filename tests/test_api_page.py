"""The API page (book/api.md) documents the whole package: autodoc's `:members:` shows every
public function and class that has a docstring, so each module must be on the page and each
public object must have one."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import modelcollapse

ROOT = Path(__file__).resolve().parents[1]


def modules():
    names = ["modelcollapse"]
    for info in pkgutil.walk_packages(modelcollapse.__path__, "modelcollapse."):
        names.append(info.name)
    return names


def test_every_module_is_on_the_api_page():
    page = (ROOT / "book" / "api.md").read_text()
    documented = set(re.findall(r"^\.\. automodule:: ([\w.]+)$", page, re.M))
    missing = [name for name in modules() if name != "modelcollapse" and name not in documented]
    assert not missing, f"modules missing from book/api.md: {missing}"


def test_every_public_function_and_class_has_a_docstring():
    undocumented = []
    for name in modules():
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != name:
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not inspect.getdoc(obj):
                undocumented.append(f"{name}.{attr}")
    assert not undocumented, f"public objects without a docstring: {undocumented}"
