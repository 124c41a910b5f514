"""The documentation covers what exists: every public package in the API reference, every
command on the commands page, every README link resolving, every example runnable by the
gallery (``make docs`` executes them; here they must at least compile)."""
import importlib
import py_compile
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rate2spike.cli import make_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _packages_with_all():
    for init in sorted((ROOT / "rate2spike").rglob("__init__.py")):
        name = ".".join(init.relative_to(ROOT).parent.parts)
        if "__all__" in init.read_text():
            yield name


def test_every_package_with_public_names_is_in_the_api_reference():
    documented = set(re.findall(r"automodule:: ([\w.]+)", (DOCS / "api.md").read_text()))
    missing = [p for p in _packages_with_all() if p not in documented]
    assert not missing, f"add to docs/api.md: {missing}"
    for name in documented:                       # and every documented module imports
        importlib.import_module(name)


def test_every_command_has_a_section_with_an_example():
    sub = next(a for a in make_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    text = (DOCS / "commands.md").read_text()
    for command in sub.choices:
        section = re.search(rf"^## `rate2spike {command}`.*?(?=^## |\Z)", text, re.M | re.S)
        assert section, f"docs/commands.md has no section for {command}"
        blocks = re.findall(r"```bash\n(.*?)```", section.group(0), re.S)
        assert any(f"rate2spike {command}" in b for b in blocks), f"{command}: no bash example"


@pytest.mark.parametrize("page", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_relative_links_and_images_resolve(page):
    path = ROOT / page if page == "README.md" else DOCS / page
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" in target:
            continue                              # web links
        if target.startswith("auto_examples/"):   # gallery pages: made from examples/ by the build
            name = Path(target).stem
            assert name == "index" or (ROOT / "examples" / f"{name}.py").is_file(), target
            continue
        assert (path.parent / target).exists(), f"{page}: broken link {target}"


def test_examples_compile_and_are_listed_in_the_gallery_pattern():
    examples = sorted((ROOT / "examples").glob("*.py"))
    assert len(examples) >= 7 and all(p.name.startswith("plot_") for p in examples)
    for path in examples:
        py_compile.compile(str(path), doraise=True)
        assert path.read_text().startswith('"""\n'), f"{path.name}: needs a title docstring"


def test_the_suite_runs_the_packages_doctests(pytestconfig):
    """``make test`` (pytest with no paths) runs every module's docstring examples: the package
    is a test path, collected with --doctest-modules, and they are not marked slow."""
    assert "rate2spike" in pytestconfig.getini("testpaths")
    assert "--doctest-modules" in pytestconfig.getini("addopts")
    out = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", "-m", "not slow", "rate2spike/encoders.py"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "rate2spike/encoders.py::rate2spike.encoders.population_code" in out.stdout, \
        out.stdout + out.stderr
