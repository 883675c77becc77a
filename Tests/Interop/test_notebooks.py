"""Every notebook in Notebooks/ runs from top to bottom without an error and shows at least one figure.

The notebooks are committed without outputs (their outputs hold timings, throughput and paths of the
machine that ran them, which would change git on every run); the executed copies, with their figures,
are written to out/notebooks/ (git-ignored) for reading."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "Notebooks").glob("*.ipynb"))
OUT = ROOT / "out" / "notebooks"
CELL_TIMEOUT = 240


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks in Notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_shows_a_figure(path, mifa_bin, monkeypatch):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    stale = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and (cell.outputs or cell.execution_count)]
    assert not stale, f"{path.name}: cells {stale} are committed with outputs; clear them (the test writes executed copies to out/notebooks/)"

    monkeypatch.setenv("MIFA_BIN", mifa_bin)  # the kernel inherits the environment
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "Notebooks")}})
    try:
        client.execute()
    finally:
        OUT.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, OUT / path.name)

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert figures, f"{path.name} shows no figure"
