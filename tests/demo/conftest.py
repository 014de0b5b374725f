"""A demo project generated once per test session (generation takes about two seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.demo.generate import DEFAULT_SEED, DemoFiles, generate_demo_project


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_demo_project(
        tmp_path_factory.mktemp("demo") / "anyshire-demo", seed=DEFAULT_SEED
    )


@pytest.fixture(scope="session")
def demo_root(demo_files: DemoFiles) -> Path:
    return demo_files.root
