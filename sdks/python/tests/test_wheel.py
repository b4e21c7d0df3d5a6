"""Packaging: pyproject.toml declares a standard PEP 517 backend, the backend builds the package where
it can run here, and a wheel installs offline and imports from its install folder.

PyPI is not reachable from this project's machines, and the backend's wheel step needs the
``wheel`` package on setuptools older than 70.1. So: the sdist is built with the declared backend
(``setuptools.build_meta``) when setuptools is importable; the wheel with
``pip wheel --no-build-isolation --no-deps`` when ``wheel`` is importable too, else by writing the
wheel's zip by hand (the layout of PEP 427: the package, ``*.dist-info`` with METADATA, WHEEL and a
RECORD of sha256 hashes); either wheel is then installed with ``pip install --no-index --target``
and imported by a fresh interpreter.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from typing import List, Tuple

import _support

SDK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYPROJECT = os.path.join(SDK, "pyproject.toml")
PACKAGE = os.path.join(SDK, "src", "promptgate")


def read_text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def project_field(name: str) -> str:
    match = re.search(rf'^{name}\s*=\s*"([^"]*)"', read_text(PYPROJECT), re.MULTILINE)
    assert match, f"pyproject.toml has no {name}"
    return match.group(1)


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def declared_setuptools_installed() -> bool:
    """setuptools at least as new as pyproject.toml requires (61: the first to read [project])."""
    if not has_module("setuptools"):
        return False
    release = importlib.metadata.version("setuptools").split(".")
    return release[0].isdigit() and int(release[0]) >= 61


def package_files() -> List[str]:
    return sorted(f for f in os.listdir(PACKAGE) if f.endswith(".py") or f == "py.typed")


def zipfile_wheel(out_dir: str) -> str:
    """Writes promptgate-<version>-py3-none-any.whl from the source tree with zipfile alone."""
    version = project_field("version")
    dist_info = f"promptgate-{version}.dist-info"
    readme = read_text(os.path.join(SDK, "README.md"))
    metadata = (
        "Metadata-Version: 2.1\n"
        "Name: promptgate\n"
        f"Version: {version}\n"
        f"Summary: {project_field('description')}\n"
        f"Requires-Python: {project_field('requires-python')}\n"
        "Classifier: Typing :: Typed\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )
    wheel = "Wheel-Version: 1.0\nGenerator: promptgate-tests (zipfile)\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries: List[Tuple[str, bytes]] = [(f"promptgate/{name}", read_bytes(os.path.join(PACKAGE, name))) for name in package_files()]
    entries += [(f"{dist_info}/METADATA", metadata.encode()), (f"{dist_info}/WHEEL", wheel.encode()), (f"{dist_info}/top_level.txt", b"promptgate\n")]
    record = []
    for path, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    target = os.path.join(out_dir, f"promptgate-{version}-py3-none-any.whl")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in entries:
            whl.writestr(path, data)
    return target


def run(args: List[str], cwd: str, env_extra: dict = {}) -> subprocess.CompletedProcess:  # noqa: B006 - never mutated
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(env_extra)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


class WheelTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="promptgate-wheel-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_pyproject_declares_a_standard_pep517_backend_and_ships_py_typed(self) -> None:
        text = read_text(PYPROJECT)
        self.assertRegex(text, r'(?m)^build-backend = "setuptools\.build_meta"$')
        self.assertRegex(text, r'(?m)^requires = \["setuptools>=61"\]$')
        self.assertEqual(project_field("name"), "promptgate")
        self.assertEqual(project_field("requires-python"), ">=3.9")
        self.assertRegex(text, r'promptgate = \["py\.typed"\]')
        self.assertIn("py.typed", package_files())

    @unittest.skipUnless(declared_setuptools_installed(), "setuptools>=61 is not installed: the declared backend cannot run here")
    def test_the_declared_backend_builds_the_sdist(self) -> None:
        tree = os.path.join(self.tmp, "tree")
        shutil.copytree(SDK, tree, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist"))
        built = run([sys.executable, "-c", "import setuptools.build_meta as b; print(b.build_sdist('out'))"], tree)
        self.assertEqual(built.returncode, 0, built.stderr)
        name = built.stdout.strip().splitlines()[-1]
        with tarfile.open(os.path.join(tree, "out", name)) as sdist:
            names = sdist.getnames()
        root = name[: -len(".tar.gz")]
        for expected in ("pyproject.toml", "README.md", "src/promptgate/__init__.py", "src/promptgate/py.typed", "src/promptgate/_portable.py"):
            self.assertIn(f"{root}/{expected}", names)

    def test_a_wheel_installs_offline_and_imports_from_its_install_folder(self) -> None:
        if not has_module("pip"):
            self.skipTest("pip is not installed: the wheel cannot be installed here")
        if declared_setuptools_installed() and has_module("wheel"):
            built = run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-w", self.tmp, SDK], self.tmp)
            self.assertEqual(built.returncode, 0, built.stdout + built.stderr)
            wheel = next(os.path.join(self.tmp, f) for f in os.listdir(self.tmp) if f.endswith(".whl"))
        else:
            wheel = zipfile_wheel(self.tmp)
        with zipfile.ZipFile(wheel) as whl:
            self.assertIn("promptgate/py.typed", whl.namelist())
        site = os.path.join(self.tmp, "site")
        installed = run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check", "--target", site, wheel], self.tmp)
        self.assertEqual(installed.returncode, 0, installed.stdout + installed.stderr)
        check = (
            "import os, promptgate; from promptgate import Promptgate, AsyncPromptgate, PromptgateError, RateLimitedError; "
            "print(os.path.dirname(promptgate.__file__)); "
            "print(os.path.exists(os.path.join(os.path.dirname(promptgate.__file__), 'py.typed'))); "
            "print(Promptgate('pg_test_x', 'http://127.0.0.1:9', timeout=1).serve('k', {'n': 'Ada'}, fallback='Hi {{n}}'))"
        )
        imported = run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {site!r}); {check}"], self.tmp)
        self.assertEqual(imported.returncode, 0, imported.stderr)
        folder, typed, served = imported.stdout.strip().splitlines()
        self.assertEqual(os.path.realpath(folder), os.path.realpath(os.path.join(site, "promptgate")))
        self.assertEqual((typed, served), ("True", "Hi Ada"))


_ = _support

if __name__ == "__main__":
    unittest.main()
