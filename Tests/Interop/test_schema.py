"""Schemas/mifa.schema.json against `mifa validate`, and the validate command's behaviour.

The schema describes the canonical mifa.json MIFAKit writes. `mifa validate` reads more than that
(the BioImage Archive's spellings) and normalises it. Agreement is therefore stated as:

* a document the Swift validator accepts is accepted by the schema in its normalised form, and also
  as written when reading changed nothing (`normalized` is false);
* a document the Swift validator rejects is rejected by the schema as written, except for the rules
  JSON Schema cannot express (SWIFT_ONLY below), where the schema accepts and Swift rejects.

The corpus (valid documents and mutations of them) is generated in the test run.
"""
import copy
import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "Schemas" / "mifa.schema.json"
SHARED = Path(os.environ.get("MIFA_SHARED_DIR", ROOT.parent / "shared"))
EXAMPLES = SHARED / "conformance" / "bia-mifa-models" / "examples"

# Rules JSON Schema cannot express; documents breaking only these: Swift rejects, schema accepts.
SWIFT_ONLY = {"orcid-check-digit", "duplicate-annotation-id", "duplicate-image-id", "calendar-date"}

BASE = {
    "study": {
        "title": "Nuclei of HeLa cells with instance masks",
        "description": "Fluorescence images of DAPI-stained HeLa nuclei for training nuclear segmentation.",
        "keywords": ["nucleus", "segmentation"],
        "license": "CC-BY-4.0",
        "funding_statement": "Funded by the Example Research Council.",
        "link_url": ["https://example.org/nuclei"],
        "link_description": ["Project page"],
        "authors": [{
            "author_first_name": "Josiah", "author_last_name": "Carberry", "email": "josiah.carberry@example.org",
            "orcid_id": "0000-0002-1825-0097", "role": ["conceptualization"],
            "organisation": [{"organisation_name": "Brown University", "address": "Providence, RI", "ror_id": "05gq02987"}],
        }],
        "publications": [{
            "publication_title": "A nuclei dataset", "publication_authors": "J. Carberry",
            "publication_doi": "10.5281/zenodo.1234567", "publication_year": "2024", "pubmed_id": "PMID:12345678",
        }],
        "grants": [{"grant_id": "840767", "funder": "Example Research Council"}],
        "ai_models_trained": ["https://bioimage.io/#/?id=affable-shark"],
        "acknowledgements": "We thank the imaging facility.",
    },
    "images": [
        {
            "id": "IM1", "path": "images/IM1", "name": "nuclei_01.tif",
            "biosample": {
                "biological_entity": "HeLa cells",
                "organism": {"scientific_name": "Homo sapiens", "common_name": "human", "ncbi_taxon_id": "9606"},
                "intrinsic_variables": ["wild type"], "extrinsic_variables": ["DAPI"], "experimental_variables": ["none"],
            },
            "specimen": {"preparation_protocol": "Fixed with 4% PFA."},
            "image_acquisition": {
                "imaging_method": {"value": "widefield fluorescence microscopy", "fbbi_id": "FBbi:00000246"},
                "instrument": "Widefield microscope", "parameters": "40x/0.95",
            },
            "image_correlation": {"spatial_and_temporal_alignment": "none", "fiducials_used": "none", "transformation_matrix": "identity"},
        },
        {"id": "IM2"},
    ],
    "annotations": [{
        "annotation_overview": "Instance masks of nuclei drawn by an expert",
        "annotation_type": ["segmentation_mask"],
        "annotation_method": "Drawn by hand in napari and reviewed.",
        "annotation_criteria": "Nuclei in focus.",
        "annotation_coverage": "All images.",
        "annotation_confidence_level": "Reviewed by a second expert.",
        "annotation_source_indicator": "metadata_file",
        "authors": [{"author_first_name": "Ada", "author_last_name": "Lindqvist", "orcid_id": "0000-0002-9079-593X", "role": ["data annotation"]}],
        "file_metadata": [
            {"annotation_id": "AN1", "annotation_type": ["segmentation_mask"], "source_image_id": "IM1",
             "transformations": "none", "spatial_information": "pixel-aligned", "annotation_creation_time": "2026-03-02T10:15:00+01:00"},
            {"annotation_id": "AN2", "annotation_type": ["segmentation_mask", "class_labels"], "source_image_id": "IM2"},
        ],
    }],
    "version": {"version": "1.0", "timestamp": "2026-03-10T09:00:00Z", "changes": "First release.", "previous_version": "S-BSST265"},
}

REQUIRED = [
    "study", "annotations", "version", "study/title", "study/description", "study/keywords", "study/license",
    "study/funding_statement", "study/link_url",
    "study/authors/0/organisation/0/organisation_name", "study/publications/0/publication_title",
    "study/publications/0/publication_authors", "study/publications/0/publication_doi", "study/grants/0/grant_id",
    "study/grants/0/funder", "images/0/id", "annotations/0/annotation_overview", "annotations/0/annotation_method",
    "annotations/0/file_metadata/0/annotation_id", "annotations/0/file_metadata/0/annotation_type",
    "annotations/0/file_metadata/0/source_image_id", "version/version", "version/timestamp",
]


def tokens(path):
    return [int(t) if t.isdigit() else t for t in path.split("/")]


def mutate(path, value=..., document=None):
    """A copy of the base document with `path` set to `value` (or removed when value is omitted)."""
    doc = copy.deepcopy(BASE if document is None else document)
    *parents, last = tokens(path)
    node = doc
    for token in parents:
        node = node[token]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return doc


def leaf_paths(node, prefix=""):
    """Every path in the document, with its value."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        path = f"{prefix}/{key}" if prefix else str(key)
        yield path, value
        yield from leaf_paths(value, path)


def corpus():
    """(name, document, expectation); expectation is 'valid', 'invalid' or 'swift-only'."""
    docs = [("base", BASE, "valid")]
    minimal = {"study": {k: BASE["study"][k] for k in ("title", "description", "keywords", "license", "funding_statement", "link_url")},
               "annotations": [{k: BASE["annotations"][0][k] for k in ("annotation_overview", "annotation_type", "annotation_method")}],
               "version": {k: BASE["version"][k] for k in ("version", "timestamp")}}
    docs += [
        ("minimal", minimal, "valid"),
        ("no-images", mutate("images"), "valid"),
        ("empty-optional-lists", mutate("study/authors", []), "valid"),
        ("unicode", mutate("study/title", "Zellkerne – Schwann-Zellen (Dörr) 😀"), "valid"),
        ("deprecated-license", mutate("study/license", "GPL-2.0"), "valid"),
        ("offset-minus-zero", mutate("version/timestamp", "2023-01-17T10:04:00-00:00"), "valid"),
        ("fraction-seconds", mutate("version/timestamp", "2023-01-17T10:04:00.123456+05:30"), "valid"),
        ("study-module", BASE["study"], "valid"),
        ("annotation-module", BASE["annotations"][0], "valid"),
        ("version-module", BASE["version"], "valid"),
        ("x-in-orcid", mutate("study/authors/0/orcid_id", "0000-0001-7613-090X"), "valid"),
        # Normalisable spellings: valid for Swift, schema-valid once normalised.
        ("archive-license", mutate("study/license", "CC_BY"), "valid"),
        ("orcid-url", mutate("study/authors/0/orcid_id", "https://orcid.org/0000-0002-1825-0097"), "valid"),
        ("doi-url", mutate("study/publications/0/publication_doi", "https://doi.org/10.5281/zenodo.1234567"), "valid"),
        ("scalar-keywords", mutate("study/keywords", "nucleus"), "valid"),
        ("scalar-role", mutate("annotations/0/authors/0/role", "data annotation"), "valid"),
        ("null-optional", mutate("study/acknowledgements", None), "valid"),
        ("unknown-field", mutate("study/authors/0/orcid", "0000-0002-1825-0097"), "valid"),
        ("derived-set-type", mutate("annotations/0/annotation_type"), "valid"),
        ("email-with-space", mutate("study/authors/0/email", " josiah.carberry@example.org "), "valid"),
    ]
    for path in REQUIRED:
        docs.append((f"missing:{path}", mutate(path), "invalid"))
    for path in ("study/title", "version/version", "annotations/0/annotation_method"):
        docs.append((f"blank:{path}", mutate(path, "   "), "invalid"))
        docs.append((f"null:{path}", mutate(path, None), "invalid"))
    # An author needs a name: given and family name, or one of them for a person known by one name.
    nameless = mutate("study/authors/0/author_first_name")
    del nameless["study"]["authors"][0]["author_last_name"]
    docs += [("missing:study/authors/0/name", nameless, "invalid"),
             ("mononym:study/authors/0/author_last_name", mutate("study/authors/0/author_first_name"), "valid"),
             ("mononym:study/authors/0/author_first_name", mutate("study/authors/0/author_last_name"), "valid")]
    docs += [("empty-list:study/keywords", mutate("study/keywords", []), "invalid"),
             ("empty-list:annotations", mutate("annotations", []), "invalid"),
             ("empty-list:file-type", mutate("annotations/0/file_metadata/0/annotation_type", []), "invalid")]
    for path, value in list(leaf_paths(BASE)):
        if isinstance(value, str):
            docs.append((f"number:{path}", mutate(path, 42), "invalid"))
        elif isinstance(value, dict):
            docs.append((f"list-for-object:{path}", mutate(path, [1, 2]), "invalid"))
        elif isinstance(value, list):
            docs.append((f"number-for-list:{path}", mutate(path, 7), "invalid"))
    docs += [
        ("root-list", [BASE], "invalid"),
        ("bad-enum", mutate("annotations/0/annotation_type", ["Segmentation masks"]), "invalid"),
        ("bad-file-enum", mutate("annotations/0/file_metadata/1/annotation_type", ["segmentation_mask", "points"]), "invalid"),
        ("bad-indicator", mutate("annotations/0/annotation_source_indicator", "by name"), "invalid"),
        ("bad-license", mutate("study/license", "All rights reserved"), "invalid"),
        ("bad-datetime-no-offset", mutate("version/timestamp", "2026-03-10T09:00:00"), "invalid"),
        ("bad-datetime-date-only", mutate("version/timestamp", "2026-03-10"), "invalid"),
        ("bad-datetime-hour", mutate("version/timestamp", "2026-03-10T25:00:00Z"), "invalid"),
        ("bad-datetime-space", mutate("annotations/0/file_metadata/0/annotation_creation_time", "2026-03-02 10:15:00Z"), "invalid"),
        ("bad-doi", mutate("study/publications/0/publication_doi", "10.12/x"), "invalid"),
        ("bad-doi-prefix-garbage", mutate("study/publications/0/publication_doi", "see the paper"), "invalid"),
        ("bad-email", mutate("study/authors/0/email", "josiah.carberry(at)example.org"), "invalid"),
        ("bad-email-no-dot", mutate("study/authors/0/email", "josiah@localhost"), "invalid"),
        ("bad-orcid-shape", mutate("study/authors/0/orcid_id", "0000-0002-1825"), "invalid"),
        ("version-as-text", mutate("version", "1.0"), "invalid"),
        ("unknown-field-and-missing", mutate("study/titel", "x", mutate("study/title")), "invalid"),
        # Rules only Swift can check.
        ("orcid-check-digit", mutate("study/authors/0/orcid_id", "0000-0000-0000-0000"), "swift-only"),
        ("orcid-check-digit-2", mutate("annotations/0/authors/0/orcid_id", "0000-0002-9079-5930"), "swift-only"),
        ("duplicate-annotation-id", mutate("annotations/0/file_metadata/1/annotation_id", "AN1"), "swift-only"),
        ("duplicate-image-id", mutate("images", [{"id": "IM1"}, {"id": "IM2"}, {"id": "IM1"}]), "swift-only"),
        ("calendar-date", mutate("version/timestamp", "2026-02-30T09:00:00Z"), "swift-only"),
    ]
    return docs


CORPUS = corpus()


@pytest.fixture(scope="session")
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def validator(schema):
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_corpus_is_large_and_mixed():
    kinds = [expectation for _, _, expectation in CORPUS]
    assert len(CORPUS) >= 40
    assert kinds.count("valid") >= 10 and kinds.count("invalid") >= 30 and kinds.count("swift-only") >= 4


def validate_with_swift(mifa, tmp_path, name, document, *extra):
    path = tmp_path / (name.replace("/", "_").replace(":", "_") + ".json")
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    proc, report = mifa("validate", "--json", path, *extra, check=False, parse_json=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert (proc.returncode == 0) == report["valid"]
    return report


def assert_agreement(validator, name, document, report, expectation):
    raw_ok = validator.is_valid(document)
    if expectation == "swift-only":
        assert not report["valid"] and raw_ok, f"{name}: Swift {report['valid']}, schema {raw_ok}"
        assert any(issue["code"] in SWIFT_ONLY | {"invalid-date-time"} for issue in report["issues"])
    elif report["valid"]:
        normalized_ok = validator.is_valid(report["document"])
        assert normalized_ok, f"{name}: schema rejects the normalised document: {[e.message for e in validator.iter_errors(report['document'])][:3]}"
        if not report["normalized"]:
            assert raw_ok, f"{name}: Swift accepts unchanged, schema rejects: {[e.message for e in validator.iter_errors(document)][:3]}"
    else:
        assert not raw_ok, f"{name}: Swift rejects ({[i['message'] for i in report['issues'] if i['severity'] == 'error']}), schema accepts"


@pytest.mark.parametrize("name,document,expectation", CORPUS, ids=[name for name, _, _ in CORPUS])
def test_schema_and_swift_validator_agree(mifa, validator, tmp_path, name, document, expectation):
    out = tmp_path / "normalized.json"
    report = validate_with_swift(mifa, tmp_path, name, document, "--write-normalized", out)
    assert report["valid"] == (expectation == "valid"), f"{name}: {[i for i in report['issues'] if i['severity'] == 'error']}"
    assert_agreement(validator, name, document, report, expectation)
    if report["valid"]:
        # Every document MIFAKit writes validates against the schema, and is what --json showed.
        written = json.loads(out.read_text(encoding="utf-8"))
        assert validator.is_valid(written)
        assert written == report["document"]
    else:
        assert not out.exists()


# Hypothesis: random combinations of mutations from the corpus still agree.
MUTATIONS = [(name, doc) for name, doc, expectation in CORPUS if expectation != "swift-only" and isinstance(doc, dict) and "study" in doc]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(range(len(MUTATIONS))), min_size=2, max_size=4, unique=True))
def test_random_combinations_agree(mifa, validator, tmp_path, picks):
    document = copy.deepcopy(BASE)
    for index in picks:
        name, mutated = MUTATIONS[index]
        for section in ("study", "images", "annotations", "version"):
            if section in mutated and mutated[section] != BASE.get(section):
                document[section] = copy.deepcopy(mutated[section])
            elif section not in mutated and section in BASE:
                document.pop(section, None)
    report = validate_with_swift(mifa, tmp_path, "combo", document)
    assert_agreement(validator, f"combination {picks}", document, report, "valid" if report["valid"] else "invalid")


# One rule for the names that become a package folder (MIFACore's SafeName): the schema's set_id
# pattern and the Swift validator accept the same ids. No newline in the alphabet: Python's `$`
# matches before a final newline, where ECMA-262's (JSON Schema's) does not.
SET_ID_CHARACTERS = list("aZ09._-/ \\:é") + ["\U0001F52C"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(alphabet=st.sampled_from(SET_ID_CHARACTERS), max_size=12),
                 st.text(alphabet="aZ_", min_size=126, max_size=130)))
def test_set_ids_follow_the_schema_pattern(mifa, validator, tmp_path, set_id):
    document = copy.deepcopy(BASE)
    document["annotations"][0]["set_id"] = set_id
    report = validate_with_swift(mifa, tmp_path, "set_id", document)
    schema_ok = validator.is_valid(document)
    set_id_errors = [i for i in report["issues"] if i["severity"] == "error" and "set_id" in i.get("pointer", "")]
    assert (not set_id_errors) == schema_ok, f"set_id {set_id!r}: schema {schema_ok}, Swift {set_id_errors}"


@pytest.mark.parametrize("study", ["S-BIAD599", "S-BIAD634"])
def test_archive_examples_normalise_to_schema_valid_documents(mifa, validator, tmp_path, study):
    combined = {
        "study": yaml.safe_load((EXAMPLES / f"Study_{study}.yaml").read_text(encoding="utf-8")),
        "annotations": [yaml.safe_load((EXAMPLES / f"Annotations_{study}.yaml").read_text(encoding="utf-8"))],
        "version": yaml.safe_load((EXAMPLES / f"Version_{study}.yaml").read_text(encoding="utf-8")),
    }
    source = tmp_path / f"{study}.yaml"
    source.write_text(yaml.safe_dump(combined, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / f"{study}.json"
    proc = mifa("validate", source, "--write-normalized", out)
    assert "valid MIFA document" in proc.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    errors = [e.message for e in validator.iter_errors(written)]
    assert not errors, errors[:5]
    assert written["study"]["license"] in ("CC-BY-4.0", "CC0-1.0")
    assert all("orcid.org" not in a.get("orcid_id", "") for a in written["study"].get("authors", []))
    assert written["annotations"][0]["annotation_type"] == ["segmentation_mask"]
    # The written file is canonical: reading it again changes nothing.
    again = mifa("validate", "--json", out, parse_json=True)[1]
    assert again["valid"] and not again["normalized"] and again["issues"] == []


def test_every_archive_file_validates_alone(mifa):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        proc, report = mifa("validate", "--json", path, check=False, parse_json=True)
        assert report["valid"] == ("template" not in path.name), path.name
        assert proc.returncode == (1 if "template" in path.name else 0)
        assert report["kind"] == {"Study": "study", "Annotations": "annotations", "Version": "version"}[path.name.split("_")[0]]
