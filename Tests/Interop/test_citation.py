"""Credit and citation through the reference tools: an annotator is credited on the one set they
changed, `mifa credits` and `mifa log` report it, CITATION.cff passes `cffconvert --validate`,
DataCite JSON passes the DataCite 4.5 JSON Schema that the `datacite` package ships, and the
Croissant export names the same people."""
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from test_package_pack import make_source

MINA = "Mina Okoye <0000-0002-7182-8185>"
SCHEMAS = Path(__file__).resolve().parents[2] / "Schemas"


def check_schema(document, name):
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


def make_history(mifa, tmp_path):
    """A package packed from the pack test's source (set1: masks by Ada Lovelace, set2: outlines
    by Grace Hopper), then version 2 in which Mina Okoye moves one outline of set2."""
    source = tmp_path / "src"
    make_source(source, 2, 64)
    package = tmp_path / "pkg"
    mifa("pack", source, package, "--metadata", tmp_path / "mifa.yaml", "--changes", "First")
    outlines = json.loads((package / "annotations" / "set2" / "annotations.geojson").read_text())
    feature = outlines["features"][0]
    feature["geometry"]["coordinates"] = [[[x + 1, y] for x, y in ring] for ring in feature["geometry"]["coordinates"]]
    edited = tmp_path / "set2.geojson"
    edited.write_text(json.dumps(outlines))
    mifa("version", package, "--version", "2", "--changes", "Moved one outline", "--annotations", f"set2={edited}",
         "--annotator", f"{MINA}=set2", "--role", "validation")
    return package, feature["id"]


def test_credit_goes_to_the_set_changed_and_credits_and_log_report_it(mifa, tmp_path):
    package, moved = make_history(mifa, tmp_path)
    metadata = json.loads((package / "mifa.json").read_text())
    names = [[a["author_last_name"] for a in s["authors"]] for s in metadata["annotations"]]
    assert names == [["Lovelace"], ["Hopper", "Okoye"]]

    _, credits = mifa("credits", package, "--json", parse_json=True)
    people = {p["name"]: p for p in credits["people"]}
    assert people["Mina Okoye"]["orcid"] == "0000-0002-7182-8185"
    assert people["Mina Okoye"]["roles"] == ["Validation"]
    assert people["Mina Okoye"]["contributions"] == [{"version": "2", "set": "set2", "created": 0, "changed": 1, "removed": 0}]
    assert people["Grace Hopper"]["contributions"] == [{"version": "1", "set": "set2", "created": 10, "changed": 0, "removed": 0}]
    assert credits["objects"]["set2"][moved] == {"created_in": "1", "last_changed_in": "2"}
    assert all(v["last_changed_in"] == "1" for k, v in credits["objects"]["set2"].items() if k != moved)
    check_schema(credits, "credit-history.schema.json")

    _, log = mifa("log", package, "--json", parse_json=True)
    assert [r["version"] for r in log["versions"]] == ["1", "2"]
    assert [a["author_last_name"] for a in log["versions"][1]["set_credits"]["set2"]] == ["Okoye"]
    assert "set_credits" not in log["versions"][0]
    for record in log["versions"]:
        check_schema(record, "version-record.schema.json")


def test_annotator_without_set_on_a_version_changing_two_sets_is_refused(mifa, tmp_path):
    package, _ = make_history(mifa, tmp_path)
    set1 = tmp_path / "set1.geojson"
    shutil.copy(package / "annotations" / "set2" / "annotations.geojson", set1)
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file() and p.name != ".mifa-lock"}
    refused = mifa("version", package, "--version", "3", "--changes", "x", "--annotations", f"set3={set1}",
                   "--annotator", "Alan Turing", "--role", "drawing", check=False)
    assert refused.returncode == 1 and "not a contributor role" in refused.stderr
    refused = mifa("version", package, "--version", "3", "--changes", "x", "--annotator", "Alan Turing", check=False)
    assert refused.returncode == 1 and "names no annotation set" in refused.stderr
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file() and p.name != ".mifa-lock"} == before


def test_citation_cff_passes_cffconvert_and_datacite_json_passes_the_schema(mifa, tmp_path):
    package, _ = make_history(mifa, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    mifa("export", package, "--to", "citation", out / "CITATION.cff")
    cffconvert = Path(sys.executable).parent / "cffconvert"
    checked = subprocess.run([str(cffconvert), "--validate", "-i", str(out / "CITATION.cff")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    cff = yaml.safe_load((out / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0" and cff["version"] == "2"
    authors = [(a.get("given-names"), a["family-names"], a.get("orcid")) for a in cff["authors"]]
    assert authors == [("Ada", "Lovelace", "https://orcid.org/0000-0002-1825-0097"), ("Grace", "Hopper", None),
                       ("Mina", "Okoye", "https://orcid.org/0000-0002-7182-8185")]
    first_record = hashlib.sha256((package / "versions" / "1.json").read_bytes()).hexdigest()
    assert {"type": "other", "value": f"sha256:{first_record}"} in [{k: i[k] for k in ("type", "value")} for i in cff["identifiers"]]
    assert {"type": "url", "value": "https://example.org/nuclei"} in [{k: i[k] for k in ("type", "value")} for i in cff["identifiers"]]

    # An invalid file is refused by the same check (the validation is not vacuous).
    broken = out / "broken.cff"
    broken.write_text((out / "CITATION.cff").read_text().replace("0000-0002-7182-8185", "0000-0002-7182-818"))
    assert subprocess.run([str(cffconvert), "--validate", "-i", str(broken)], capture_output=True).returncode != 0

    mifa("export", package, "--to", "datacite", out / "datacite.json")
    document = json.loads((out / "datacite.json").read_text())
    spec = importlib.util.find_spec("datacite")
    schema = json.loads((Path(spec.submodule_search_locations[0]) / "schemas" / "datacite-v4.5.json").read_text())
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(document)]
    assert errors == []
    assert [c["name"] for c in document["creators"]] == ["Lovelace, Ada", "Hopper, Grace", "Okoye, Mina"]
    contributors = {(c["name"], c["contributorType"]) for c in document["contributors"]}
    assert contributors == {("Okoye, Mina", "Researcher"), ("Lovelace, Ada", "DataCurator"), ("Hopper, Grace", "DataCurator")}
    mina = next(c for c in document["creators"] if c["familyName"] == "Okoye")
    assert mina["nameIdentifiers"] == [{"nameIdentifier": "https://orcid.org/0000-0002-7182-8185", "nameIdentifierScheme": "ORCID", "schemeUri": "https://orcid.org"}]
    assert document["rightsList"][0]["rightsIdentifier"] == "CC-BY-4.0"
    broken_document = dict(document, creators=[{"nameType": "Personal"}])
    assert list(validator.iter_errors(broken_document))

    mifa("export", package, "--to", "croissant", out / "croissant.json")
    croissant = json.loads((out / "croissant.json").read_text())
    assert [c["name"] for c in croissant["creator"]] == ["Ada Lovelace", "Grace Hopper", "Mina Okoye"]
