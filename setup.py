"""The one build step pyproject.toml cannot declare: the shipped rubrics, schemas and examples.

The repository keeps them at its top level (``rubrics/``, ``schema/``, ``examples/``: the one copy in
git); a wheel carries the same files under ``perfeval/data/`` with the same layout, so that the relative
``rubric: ../rubrics/…`` and ``$schema=../schema/…`` lines inside them resolve in an installed copy too
(:mod:`perfeval.fileio.shipped` finds them in either place). ``MANIFEST.in`` puts them in the sdist.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = {"rubrics": ("*.yaml",), "schema": ("*.json",), "examples": ("*.yaml",)}


class build_py_with_data(build_py):  # noqa: N801 - setuptools' naming
    """build_py, then the shipped files copied into ``perfeval/data/`` of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout's own files
            return
        for folder, patterns in SHIPPED.items():
            target = Path(self.build_lib) / "perfeval" / "data" / folder
            target.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for source in sorted((HERE / folder).glob(pattern)):
                    shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": build_py_with_data})
