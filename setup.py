"""Build the native scan core (jikimi.detect._native).

The extension is optional: where no C compiler is available the install still succeeds and
jikimi falls back to the pure-Python recognizers (same findings, slower; ``jikimi scan`` says so).
Everything else about the package lives in pyproject.toml.
"""

from glob import glob

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "jikimi.detect._native",
            sources=sorted(glob("src/jikimi/detect/_native/*.c")),
            depends=["src/jikimi/detect/_native/jk.h"],
            extra_compile_args=["-O3", "-std=c11", "-fvisibility=hidden", "-Wall", "-Wno-unused-function"],
            optional=True,
        )
    ]
)
