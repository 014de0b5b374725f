from pathlib import Path

from children import planwatch


def test_init_writes_a_plan_that_loads(tmp_path: Path) -> None:
    result = planwatch("init", "-p", "proj", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "proj" / "plan.yaml").read_text().startswith("# planwatch plan file.")


def test_errors_print_without_traceback_and_exit_non_zero(tmp_path: Path) -> None:
    planwatch("init", "-p", "proj", cwd=tmp_path)
    again = planwatch("init", "-p", "proj", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr + again.stdout
