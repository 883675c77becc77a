"""`mifa validate`: human and JSON output, exit codes, and bad input (malformed JSON/YAML, usage)."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRAFT = ROOT / "Samples" / "nuclei" / "drafts" / "mifa-draft.yaml"


def test_human_output_lists_every_issue_with_place_and_suggestion(mifa, tmp_path):
    path = tmp_path / "draft.yaml"
    path.write_text(
        "study:\n  title: T\n  license: CC BY 4.0\n  authors:\n    - author_first_name: A\n      author_last_name: B\n"
        "      orcid_id: 0000-0000-0000-0000\nannotations:\n  - annotation_overview: O\n    annotation_method: M\n"
        "    annotation_type: Segmentation masks\nversion: {version: '1', timestamp: '2026-03-10T09:00:00Z'}\n",
        encoding="utf-8")
    proc = mifa("validate", path, check=False)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("errors (")
    assert any(line.startswith("  /annotations/0/annotation_type (line 11): 'Segmentation masks' is not a MIFA annotation type")
               and line.endswith("— use 'segmentation_mask'") for line in lines), proc.stdout
    assert any("/study/authors/0/orcid_id (line 7)" in line and "check digit" in line for line in lines)
    assert any("/study/description" in line and "(expected a non-empty text, found nothing)" in line for line in lines)
    assert "notes (" in proc.stdout and "license stored as its SPDX id" in proc.stdout
    assert lines[-1].startswith(f"{path}: invalid MIFA document — ")


def test_json_output_is_one_document(mifa, tmp_path):
    path = tmp_path / "version.json"
    path.write_text(json.dumps({"version": "2", "timestamp": "2026-01-01T00:00:00Z", "extra": 1}), encoding="utf-8")
    proc, report = mifa("validate", path, "--json", parse_json=True)
    assert report["valid"] is True and report["kind"] == "version" and report["format"] == "json"
    assert report["counts"] == {"errors": 0, "warnings": 1, "notes": 0}
    assert report["issues"][0]["code"] == "unknown-key" and report["issues"][0]["pointer"] == "/extra"
    assert report["document"] == {"version": "2", "timestamp": "2026-01-01T00:00:00Z"}
    assert report["normalized"] is True


def test_package_folder_uses_its_mifa_file(mifa, tmp_path):
    (tmp_path / "mifa.yaml").write_text("version: '1'\ntimestamp: '2026-01-01T00:00:00Z'\n", encoding="utf-8")
    proc = mifa("validate", tmp_path)
    assert "valid version module" in proc.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = mifa("validate", empty, check=False)
    assert proc.returncode == 1 and "mifa.json" in proc.stderr


def test_malformed_yaml_names_file_and_line(mifa, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("study:\n  title: [unclosed\n  keywords: x\n", encoding="utf-8")
    proc = mifa("validate", path, check=False)
    assert proc.returncode == 1
    assert f"{path}:3:" in proc.stderr, proc.stderr
    proc, report = mifa("validate", path, "--json", check=False, parse_json=True)
    assert proc.returncode == 1 and report["valid"] is False
    assert report["error"]["code"] == "invalid-yaml" and report["error"]["line"] == 3


def test_malformed_json_names_file_line_and_column(mifa, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "study": {\n    "title": "x",\n  }\n}\n', encoding="utf-8")
    proc = mifa("validate", path, check=False)
    assert proc.returncode == 1
    assert f"{path}:4:3:" in proc.stderr, proc.stderr
    for text in ['{"a": 1, "a": 2}', '{"a": "\\ud800"}', "[1,]", "", '{"a": 1} x']:
        path.write_text(text, encoding="utf-8")
        proc = mifa("validate", path, check=False)
        assert proc.returncode == 1 and f"{path}:1:" in proc.stderr, (text, proc.stderr)
    path.write_bytes(b'{"title": "\xff"}')
    assert mifa("validate", path, check=False).returncode == 1


def test_wrong_types_are_invalid_not_crashes(mifa, tmp_path):
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"study": {"title": 1, "keywords": {"a": 1}, "authors": "x", "license": []},
                                "annotations": 5, "version": [1]}), encoding="utf-8")
    proc, report = mifa("validate", path, "--json", check=False, parse_json=True)
    assert proc.returncode == 1
    wrong = {issue["pointer"] for issue in report["issues"] if issue["code"] == "wrong-type"}
    assert {"/study/title", "/study/keywords", "/study/authors", "/study/license", "/annotations", "/version"} <= wrong


def test_usage_errors_exit_2(mifa, tmp_path):
    assert mifa("validate", check=False).returncode == 2
    assert mifa("validate", "a.json", "--bogus", check=False).returncode == 2
    path = tmp_path / "m.json"
    path.write_text("{}", encoding="utf-8")
    assert mifa("validate", path, "--write-normalized", path, check=False).returncode == 2
    assert mifa("validate", tmp_path / "missing.json", check=False).returncode == 1


def test_curators_draft_sample_reports_its_mistakes(mifa):
    if not DRAFT.exists():
        return
    proc, report = mifa("validate", DRAFT, "--json", check=False, parse_json=True)
    assert proc.returncode == 1
    codes = {issue["code"] for issue in report["issues"]}
    assert {"orcid-check-digit", "invalid-email", "invalid-annotation-type", "duplicate-annotation-id", "invalid-date-time"} <= codes
