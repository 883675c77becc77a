#!/usr/bin/env python3
"""Seed corpus for the FuzzMetadata target: small JSON and YAML MIFA documents.

Usage: seeds_FuzzMetadata.py <corpus-dir>

Writes hand-made documents (valid, with the Archive's spellings, with typical mistakes, malformed)
and copies of the BioImage Archive's examples from ../shared/conformance/bia-mifa-models/examples
(large annotation files are cut to their first entries, so each run stays fast) and the Samples.
"""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MIFA_SHARED_DIR", ROOT.parent / "shared"))
EXAMPLES = SHARED / "conformance" / "bia-mifa-models" / "examples"

VALID = {
    "study": {"title": "T", "description": "D", "keywords": ["k"], "license": "CC-BY-4.0", "funding_statement": "F",
              "link_url": ["https://example.org"],
              "authors": [{"author_first_name": "A", "author_last_name": "B", "email": "a@b.org",
                           "orcid_id": "0000-0002-1825-0097", "role": ["data annotation"],
                           "organisation": [{"organisation_name": "O"}]}],
              "publications": [{"publication_title": "P", "publication_authors": "A", "publication_doi": "10.1234/x"}],
              "grants": [{"grant_id": "1", "funder": "F"}]},
    "images": [{"id": "IM1", "biosample": {"organism": {"scientific_name": "Homo sapiens"}}}],
    "annotations": [{"annotation_overview": "O", "annotation_type": ["segmentation_mask"], "annotation_method": "M",
                     "annotation_source_indicator": "metadata_file",
                     "file_metadata": [{"annotation_id": "AN1", "annotation_type": ["tracks"], "source_image_id": "IM1",
                                        "annotation_creation_time": "2023-01-17T10:04:00-00:00"}]}],
    "version": {"version": "1.0", "timestamp": "2023-01-17T10:04:00Z"},
}

TEXT_SEEDS = {
    "archive-spellings.yaml": (
        "study:\n  title: T\n  license: CC_BY\n  keywords: k\n  link_url: https://x.org\n  authors:\n"
        "    - author_first_name: A\n      author_last_name: B\n      orcid_id: https://orcid.org/0000-0002-1825-0097\n"
        "      role: data annotation\n  publications:\n    - publication_doi: https://doi.org/10.7554/eLife.55913\n"
        "annotations:\n  - annotation_overview: O\n    annotation_type: Segmentation masks\n    file_metadata:\n"
        "      - {annotation_id: a, annotation_type: segmentation_mask, source_image_id: i}\n"
        "version:\n  version: 1.10\n  timestamp: \"2023-01-17T10:04:00-00:00\"\n"),
    "template.yaml": "title:\nkeywords:\n  -\n  -\nauthors:\n  - author_first_name:\n    role:\n      -\n",
    "aliases.yaml": "a: &p {author_first_name: A, author_last_name: B}\nauthors: [*p, *p]\ntitle: t\n",
    "bomb.yaml": "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n",
    "complex-key.yaml": "? [a, b]\n: c\n",
    "flow.yaml": "{version: '2', timestamp: 2023-01-17T10:04:00Z, changes: [a, {b: c}]}\n",
    "multidoc.yaml": "title: a\n---\ntitle: b\n",
    "tags.yaml": "title: !!str 1\nversion: !!int 3\nkeywords: !custom [a]\nlicense: !!null ''\n",
    "block-scalars.yaml": "description: |\n  line one\n  line two\nannotation_method: >-\n  folded\n  text\n",
    "publications-by-doi.json": '{"title": "t", "publications": {"10.1234/abcd": {"publication_title": "P"}, "10.1/x": null}}',
    "wrong-types.json": '{"study": {"title": 1, "keywords": {"a": 1}, "authors": "x", "license": []}, "annotations": 5, "version": [1]}',
    "numbers.json": '[0, -0, 1.5e10, 1E-7, 12345678901234567890123, 1e400, -0.0000001]',
    "escapes.json": '{"a\\u00e9": "\\ud83d\\ude00\\n\\t\\"\\\\\\/", "": []}',
    "duplicate-key.json": '{"a": 1, "a": 2}',
    "truncated.json": '{"study": {"title": "x", "authors": [{"author_first_name"',
    "lone-surrogate.json": '{"a": "\\ud800"}',
    "deep.json": "[" * 40 + "]" * 40,
}


def cut_annotations(text, entries=3):
    """The annotation file up to its first few file_metadata entries."""
    lines, kept, seen = text.splitlines(), [], 0
    for line in lines:
        if line.lstrip().startswith("- annotation_id"):
            seen += 1
            if seen > entries:
                break
        kept.append(line)
    return "\n".join(kept) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seeds_FuzzMetadata.py <corpus-dir>")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "seed-valid.json").write_text(json.dumps(VALID, indent=1), encoding="utf-8")
    (out / "seed-valid-module.json").write_text(json.dumps(VALID["study"]), encoding="utf-8")
    for name, text in TEXT_SEEDS.items():
        (out / f"seed-{name}").write_text(text, encoding="utf-8")
    (out / "seed-invalid-utf8.yaml").write_bytes(b"title: \xff\xfe\n")
    count = len(TEXT_SEEDS) + 3
    if EXAMPLES.exists():
        for path in sorted(EXAMPLES.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if path.name.startswith("Annotations_") and "template" not in path.name:
                text = cut_annotations(text)
            (out / f"seed-archive-{path.name}").write_text(text, encoding="utf-8")
            count += 1
    for path in sorted((ROOT / "Samples").rglob("mifa*.yaml")):
        (out / f"seed-sample-{path.parent.name}-{path.name}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        count += 1
    print(f"{count} FuzzMetadata seeds in {out}")


if __name__ == "__main__":
    main()
