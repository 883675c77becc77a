"""The official OME-NGFF suites through the Python jsonschema package, against the same local schema
files the Swift validator implements (Tests/OMEZarrTests/ConformanceSuiteTests checks our verdicts).

The schemas cannot express every rule the suites enforce: the 0.5 plate suite rejects a well whose path
is `{column}/{row}` (the specification requires `{row}/{column}`), which jsonschema accepts and MIFAKit's
validator rejects. That case is listed here; every other verdict of jsonschema equals the suite's.
"""
import json

import pytest

from omezarr_helpers import NGFF, validator

SPEC_ONLY = {("0.5", "plate_suite.json", "plate/well_path_has_column_before_row")}


def suite_cases():
    if not NGFF.exists():
        return []
    cases = []
    for version in ("0.4", "0.5"):
        for suite in sorted((NGFF / version / "tests").glob("*_suite.json")):
            document = json.loads(suite.read_text())
            schema = document["schema"]["id"].split("/")[-1]
            for index, case in enumerate(document["tests"]):
                cases.append(pytest.param(version, suite.name, schema, case, id=f"{version}-{suite.stem}-{index}"))
    return cases


@pytest.mark.parametrize("version,suite,schema,case", suite_cases())
def test_jsonschema_gives_the_suite_verdict(version, suite, schema, case):
    valid = validator(version, schema).is_valid(case["data"])
    if (version, suite, case["formerly"]) in SPEC_ONLY:
        assert valid and not case["valid"], "the schema accepts it; the specification (and MIFAKit) rejects it"
    else:
        assert valid == case["valid"]


def test_suites_are_complete():
    assert len(suite_cases()) == 178
