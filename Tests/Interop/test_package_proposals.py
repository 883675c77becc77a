"""Proposals, reviews and flags end to end through the `mifa` CLI: a proposal leaves the current
version alone; accepting it makes the next version (the author credited on the set changed, the
reviewer recorded) that `diff` and `checkout` treat like any version; a proposal made on an older
version that changes the same set is refused naming it; rejections and flags appear in `log` and
`audit`; tampering with a proposal or review is reported. Digests and ids are recomputed here with
hashlib, and the checked-out set is compared with the proposed file's bytes."""
import hashlib
import json
import shutil
from pathlib import Path

from test_citation import check_schema, make_history

MINA = "Mina Okoye <0000-0002-7182-8185>"
ALAN = "Alan Turing"
REVIEWER = "Ada Lindqvist <0000-0002-9079-593X>"


def content(package: Path) -> dict:
    """The package's files outside `versions/` (what a proposal must not change), with their bytes."""
    return {p.relative_to(package).as_posix(): p.read_bytes() for p in package.rglob("*")
            if p.is_file() and p.name != ".mifa-lock" and not p.relative_to(package).as_posix().startswith("versions/")}


def moved_set2(package: Path, tmp_path: Path, index: int, dx: int, name: str) -> Path:
    outlines = json.loads((package / "annotations/set2/annotations.geojson").read_text())
    feature = outlines["features"][index]
    feature["geometry"]["coordinates"] = [[[x + dx, y] for x, y in ring] for ring in feature["geometry"]["coordinates"]]
    path = tmp_path / name
    path.write_text(json.dumps(outlines))
    return path


def propose(mifa, package, edited, version, author, reason):
    _, made = mifa("propose", package, "--version", version, "--changes", f"moved an outline ({version})",
                   "--annotations", f"set2={edited}", "--author", author, "--reason", reason, "--json", parse_json=True)
    record_file = package / "versions/proposals" / f"{made['id']}.json"
    assert made["id"] == "p-" + hashlib.sha256(record_file.read_bytes()).hexdigest()[:16]
    return made["id"], made["proposal"]


def audit(mifa, package):
    proc, report = mifa("audit", package, "--json", check=False, parse_json=True)
    return proc.returncode, report["findings"]


def test_proposal_lifecycle_in_log_credits_audit_diff_and_checkout(mifa, tmp_path):
    package, _ = make_history(mifa, tmp_path)  # versions 1 and 2 (Mina moved outline 0 of set2)
    before = content(package)
    first, record = propose(mifa, package, moved_set2(package, tmp_path, 1, 2, "p1.geojson"), "3", MINA, "outline 1 was off by two pixels")
    stale, _ = propose(mifa, package, moved_set2(package, tmp_path, 2, 1, "p2.geojson"), "4", ALAN, "outline 2 too")
    assert content(package) == before  # the current version is untouched
    assert json.loads((package / "manifest.json").read_text())["version"] == "2"
    assert record["base_version"] == "2" and list(record["change_summary"]["annotations"]) == ["set2"]
    code, findings = audit(mifa, package)
    assert code == 0 and sorted(f["path"] for f in findings if f["code"] == "proposal-open") == sorted(
        [f"versions/proposals/{first}.json", f"versions/proposals/{stale}.json"])

    mifa("review", package, first, "--accept", "--reason", "checked against the image", "--reviewer", REVIEWER)
    _, log = mifa("log", package, "--json", parse_json=True)
    assert [r["version"] for r in log["versions"]] == ["1", "2", "3"]
    accepted = log["versions"][2]
    check_schema(accepted, "version-record.schema.json")
    proposal_file = package / "versions/proposals" / f"{first}.json"
    assert accepted["proposal"]["id"] == first
    assert accepted["proposal"]["proposal_sha256"] == hashlib.sha256(proposal_file.read_bytes()).hexdigest()
    assert accepted["proposal"]["reviewer"]["author_last_name"] == "Lindqvist"
    assert [a["author_last_name"] for a in accepted["set_credits"]["set2"]] == ["Okoye"]
    assert {p["id"]: p["status"] for p in log["proposals"]} == {first: "accepted as 3", stale: "open"}

    # The stale proposal changes set2, which version 3 changed since its base: refused, nothing written.
    snapshot = {p: p.read_bytes() for p in package.rglob("*") if p.is_file() and p.name != ".mifa-lock"}
    refused = mifa("review", package, stale, "--accept", "--reason", "x", "--reviewer", REVIEWER, check=False)
    assert refused.returncode == 1 and "no longer applies" in refused.stderr and "set2" in refused.stderr
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file() and p.name != ".mifa-lock"} == snapshot
    mifa("review", package, stale, "--reject", "--reason", "made on an old version", "--reviewer", REVIEWER)
    again = mifa("review", package, stale, "--reject", "--reason", "twice", "--reviewer", REVIEWER, check=False)
    assert again.returncode == 1 and "already rejected" in again.stderr

    _, credits = mifa("credits", package, "--json", parse_json=True)
    check_schema(credits, "credit-history.schema.json")
    mina = next(p for p in credits["people"] if p["name"] == "Mina Okoye")
    assert {"version": "3", "set": "set2", "created": 0, "changed": 1, "removed": 0} in mina["contributions"]
    assert credits["versions"][2]["proposal"]["id"] == first
    text = mifa("credits", package).stdout
    assert f"accepted proposal {first} of Mina Okoye" in text

    _, diff = mifa("diff", package, "2", "3", "--json", parse_json=True)
    assert diff["annotations"]["set2"]["changed"] and not diff["annotations"]["set2"]["added"]
    out = tmp_path / "v3"
    mifa("checkout", package, "3", out)
    listing = json.loads((package / "versions/objects/sha256" / record["manifest_sha256"]).read_text())
    proposed = listing["files"]["annotations/set2/annotations.geojson"]["sha256"]
    assert hashlib.sha256((out / "annotations/set2/annotations.geojson").read_bytes()).hexdigest() == proposed

    _, flagged = mifa("flag", package, "--reason", "set1 misses dividing cells", "--by", "Ada").stdout.split(": ")
    flag = flagged.strip()
    code, findings = audit(mifa, package)
    assert code == 0
    assert [f["path"] for f in findings if f["code"] == "flag-open"] == [f"versions/flags/{flag}.json"]
    assert not [f for f in findings if f["code"] == "proposal-open"]
    mifa("flag", package, "--resolve", flag, "--reason", "added in version 4")
    _, findings = audit(mifa, package)
    assert not [f for f in findings if f["code"] == "flag-open"]
    log_text = mifa("log", package).stdout
    assert f"accepted proposal {first} by Mina Okoye" in log_text and f"rejected proposal {stale}" in log_text
    assert f"resolves flag {flag}" in log_text

    # Tampering: an edited review, an edited proposal, a removed accepted proposal.
    for name, edit, expected in (
        ("review", lambda p: next((p / "versions/reviews").glob("*.json")), "proposal-record-edited"),
        ("proposal", lambda p: p / "versions/proposals" / f"{stale}.json", "proposal-record-edited"),
    ):
        copy = shutil.copytree(package, tmp_path / f"tampered-{name}")
        target = edit(copy)
        target.write_text(target.read_text().replace("made on an old version" if name == "review" else "outline 2 too", "edited"))
        code, findings = audit(mifa, copy)
        assert code == 1 and expected in [f["code"] for f in findings if f["severity"] == "error"]
    copy = shutil.copytree(package, tmp_path / "tampered-accepted")
    (copy / "versions/proposals" / f"{first}.json").unlink()
    code, findings = audit(mifa, copy)
    assert code == 1
    assert [f["path"] for f in findings if f["code"] == "review-target-missing"] == ["versions/3.json"]
