"""Every notebook in notebooks/ runs top to bottom on the demo snapshot, and is stored clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from orchestration.settings import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist_without_outputs():
    assert [n.name for n in NOTEBOOKS] == [
        "01_scorecard_tour.ipynb",
        "02_gap_analysis.ipynb",
        "03_data_quality_review.ipynb",
    ]
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.fixture(scope="module")
def snapshot_dir(demo_warehouse, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks") / "data"
    folder.mkdir(parents=True)
    shutil.copyfile(demo_warehouse.analytics_path, folder / "analytics.duckdb")
    return folder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, snapshot_dir: Path, monkeypatch):
    # The kernel inherits the environment: the notebook finds the snapshot via settings.
    monkeypatch.setenv("SCORECARD_DATA_DIR", str(snapshot_dir))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:  # the message names the cell and the error
        pytest.fail(f"{path.name}: {exc}")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    # The first cell prints which snapshot it read: the demo copy, not ./data.
    assert str(snapshot_dir / "analytics.duckdb") in code[0].outputs[0].text
