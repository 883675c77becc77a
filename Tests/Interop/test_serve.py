"""Issue 18: `mifa serve` over a packed sample (nuclei) on a free loopback port.

zarr-python and ome-zarr-py read every image and label image through http://.../files/...
identically to the files on disk; the server never leaves the package (.., encoded slashes, a
planted symbolic link), accepts no write method, enforces its token and answers bad ranges with
416; /api/openapi.json is a valid OpenAPI 3.1 document. Then headless Chromium (Selenium) opens
the overview, the gallery and the viewer with no JavaScript errors, the viewer's screenshot shows
the label colours exactly where the label image is non-zero, toggling a set removes its outlines,
and zooming in loads the next level's tiles."""
import io
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import zarr
from ome_zarr.io import parse_url
from ome_zarr.reader import Reader
from PIL import Image

from http_server import MifaServe as Server

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "Samples" / "nuclei"


@pytest.fixture(scope="module")
def package(mifa, tmp_path_factory):
    if not (SAMPLE / "images").exists():
        pytest.fail("the samples are not generated: run `make samples`")
    target = tmp_path_factory.mktemp("serve") / "nuclei.mifa"
    mifa("pack", SAMPLE, target, "--metadata", SAMPLE / "mifa.yaml", "--file-list", SAMPLE / "files.tsv")
    return target


@pytest.fixture(scope="module")
def server(mifa_bin, package):
    running = Server(mifa_bin, package)
    yield running
    running.stop()


def image_ids(package):
    return sorted(p.name for p in (package / "images").iterdir() if p.is_dir() and (p / "zarr.json").exists())


def test_zarr_python_reads_every_image_and_label_through_the_server(server, package):
    for image_id in image_ids(package):
        local = zarr.open_group(package / "images" / image_id, mode="r")
        remote = zarr.open_group(f"{server.url}/files/images/{image_id}", mode="r")
        assert dict(remote.attrs) == dict(local.attrs)
        paths = [d["path"] for d in local.attrs["ome"]["multiscales"][0]["datasets"]]
        for path in paths:
            np.testing.assert_array_equal(remote[path][:], local[path][:])
        for label in local.attrs.get("labels", []) or (local["labels"].attrs.get("ome", {}).get("labels", []) if "labels" in local else []):
            for path in [d["path"] for d in local["labels"][label].attrs["ome"]["multiscales"][0]["datasets"]]:
                np.testing.assert_array_equal(remote["labels"][label][path][:], local["labels"][label][path][:])


def test_ome_zarr_py_reads_every_image_through_the_server(server, package):
    for image_id in image_ids(package):
        local_nodes = [n for n in Reader(parse_url(str(package / "images" / image_id)))() if n.data]
        remote_nodes = [n for n in Reader(parse_url(f"{server.url}/files/images/{image_id}"))() if n.data]
        assert len(remote_nodes) == len(local_nodes) >= 1, image_id
        for local, remote in zip(local_nodes, remote_nodes):
            assert len(local.data) == len(remote.data)
            for a, b in zip(local.data, remote.data):
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_openapi_document_is_valid(server):
    from openapi_spec_validator import validate
    status, _, body = server.request("GET", "/api/openapi.json")
    assert status == 200
    document = json.loads(body)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_api_and_files_agree_with_the_package(server, package):
    status, _, body = server.request("GET", "/api/images")
    assert status == 200
    assert [image["id"] for image in json.loads(body)] == image_ids(package)
    data = (package / "mifa.json").read_bytes()
    status, headers, body = server.request("GET", "/files/mifa.json", {"Range": "bytes=10-19", "Origin": "http://example.org"})
    assert status == 206 and body == data[10:20]
    assert headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = server.request("GET", "/files/mifa.json", {"Range": f"bytes={len(data) + 5}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"
    status, _, body = server.request("GET", "/api/images/IM1/region?level=0&region=0:64,0:32&format=npy")
    assert status == 200
    local = zarr.open_group(package / "images" / "IM1", mode="r")
    level0 = local[local.attrs["ome"]["multiscales"][0]["datasets"][0]["path"]]
    np.testing.assert_array_equal(np.load(io.BytesIO(body)), level0[0:64, 0:32] if level0.ndim == 2 else level0[..., 0:64, 0:32])


@pytest.mark.parametrize("path", [
    "/files/../mifa.json", "/files/images/../../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd",
    "/files/images%2FIM1%2Fzarr.json", "/files/images/IM1%2f..%2f..%2fmifa.json", "/files//etc/passwd",
    "/files/.mifa-lock", "/files/versions/objects", "/files/images/IM1/nothing-here",
])
def test_no_request_escapes_the_package(server, path):
    status, _, body = server.request("GET", path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_no_write_method(server, method):
    status, headers, _ = server.request(method, "/files/mifa.json")
    assert status == 405 and headers["Allow"] == "GET, HEAD, OPTIONS"


def test_symlink_planted_in_a_copy_is_not_followed(mifa_bin, package, tmp_path):
    copy = tmp_path / "copy.mifa"
    shutil.copytree(package, copy, symlinks=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    chunk = next(p for p in (copy / "images" / "IM1").rglob("*") if p.is_file() and p.name != "zarr.json")
    chunk.unlink()
    chunk.symlink_to(secret)
    (copy / "images" / "IM2").rename(copy / "images" / "IM2-real")
    (copy / "images" / "IM2").symlink_to(copy / "images" / "IM2-real")
    running = Server(mifa_bin, copy)
    try:
        relative = chunk.relative_to(copy).as_posix()
        status, _, body = running.request("GET", f"/files/{relative}")
        assert status == 404 and b"top secret" not in body
        status, _, _ = running.request("GET", "/files/images/IM2/zarr.json")
        assert status == 404
    finally:
        running.stop()


def test_token_is_enforced(mifa_bin, package):
    running = Server(mifa_bin, package, "--token", "t0ken")
    try:
        assert running.request("GET", "/api/images")[0] == 401
        assert running.request("GET", "/api/images?token=nope")[0] == 401
        assert running.request("GET", "/api/images?token=t0ken")[0] == 200
        assert running.request("GET", "/files/mifa.json", {"Authorization": "Bearer t0ken"})[0] == 200
    finally:
        running.stop()


def test_not_a_package_exits_1(mifa, tmp_path):
    proc = mifa("serve", tmp_path, "--port", "0", check=False, timeout=60)
    assert proc.returncode == 1 and "no MIFA package" in proc.stderr
    proc = mifa("serve", tmp_path / "missing", "--port", "0", check=False, timeout=60)
    assert proc.returncode == 1 and "not a MIFA package" in proc.stderr


def test_preview_draws_the_label_colours(mifa, package, tmp_path):
    out = tmp_path / "preview.png"
    mifa("preview", package, "IM1", out, "--label", "set1", "--level", "0")
    picture = np.asarray(Image.open(out).convert("RGBA"))
    group = zarr.open_group(package / "images" / "IM1" / "labels" / "set1", mode="r")
    labels = np.squeeze(group[group.attrs["ome"]["multiscales"][0]["datasets"][0]["path"]][:])
    colours = {c["label-value"]: c["rgba"] for c in group.attrs["ome"]["image-label"].get("colors", [])}
    assert picture.shape[:2] == labels.shape
    for value in np.unique(labels[labels != 0])[:20]:
        if value in colours and colours[value][3] == 255:
            assert (picture[labels == value] == np.array(colours[value], dtype=np.uint8)).all(), value
    proc = mifa("preview", package, "IM9", out, check=False)
    assert proc.returncode == 1 and "IM9" in proc.stderr


# ----------------------------------------------------------------- the pages in headless Chromium

@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not shutil.which("chromedriver") or not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.fail("headless browser tests need Debian's chromium and chromium-driver (make apt)")
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1000,900", "--force-device-scale-factor=1", "--hide-scrollbars"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def severe_logs(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(browser, script, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if browser.execute_script(script):
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def test_overview_and_gallery_load_without_errors(browser, server):
    browser.get(server.url + "/")
    wait_for(browser, "return document.getElementById('audit').dataset.verdict !== undefined")
    assert "CC" in browser.find_element("id", "license").text
    assert browser.find_elements("css selector", "#sets tr")[1:], "no annotation sets listed"
    assert browser.find_elements("css selector", "#versions tr")[1:], "no versions listed"
    browser.get(server.url + "/images/")
    wait_for(browser, "return [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert len(browser.find_elements("css selector", "#gallery img")) == 6
    assert severe_logs(browser) == []


def viewer_tiles_loaded(browser):
    wait_for(browser, "return window.mifaViewer && window.mifaViewer.ready && "
                      "[...document.querySelectorAll('#layers img')].every(i => i.complete && i.naturalWidth > 0)")


def test_viewer_overlay_toggles_and_zoom(browser, server, package):
    browser.get(server.url + "/images/IM1")
    viewer_tiles_loaded(browser)
    assert severe_logs(browser) == []
    # Level 0 at 1 screen pixel per image pixel, the image's top-left corner at the viewport's.
    browser.execute_script("window.mifaViewer.state.sets = {}; window.mifaViewer.setView(1, 0, 0)")
    viewer_tiles_loaded(browser)
    assert browser.execute_script("return window.mifaViewer.state.level") == 0
    viewport = browser.find_element("id", "viewport")
    shot = np.asarray(Image.open(io.BytesIO(viewport.screenshot_as_png)).convert("RGB"))
    group = zarr.open_group(package / "images" / "IM1" / "labels" / "set1", mode="r")
    labels = np.squeeze(group[group.attrs["ome"]["multiscales"][0]["datasets"][0]["path"]][:])
    colours = {c["label-value"]: c["rgba"] for c in group.attrs["ome"]["image-label"].get("colors", [])}
    h, w = min(shot.shape[0], labels.shape[0]), min(shot.shape[1], labels.shape[1])
    shot, labels = shot[:h, :w], labels[:h, :w]
    automatic = json.loads(server.request("GET", "/api/images")[2])
    assert any(l["name"] == "set1" for l in automatic[0]["labels"])
    inside = labels != 0
    for value in np.unique(labels[inside]):
        expected = colours.get(int(value))
        if expected is None or expected[3] != 255:
            continue
        assert (shot[labels == value] == np.array(expected[:3], dtype=np.uint8)).all(), value
    # Where the label is zero the image shows grey (the single channel in white), never a label colour.
    outside = shot[~inside]
    assert (outside[:, 0] == outside[:, 1]).all() and (outside[:, 1] == outside[:, 2]).all()

    # Vector sets: outlines present, then gone when the set is toggled off.
    browser.execute_script("window.location.reload()")
    viewer_tiles_loaded(browser)
    toggles = browser.find_elements("css selector", "input[id^='set-toggle-']")
    assert toggles, "the image has no vector set toggles"
    set_id = toggles[0].get_attribute("id")[len("set-toggle-"):]
    visible = f"return [...document.querySelectorAll('g.set[data-set=\"{set_id}\"]')].filter(g => g.style.display !== 'none' && g.childElementCount > 0).length"
    assert browser.execute_script(visible) == 1
    toggles[0].click()
    assert browser.execute_script(visible) == 0

    # Zoom: from the fitted view (a coarser level), zooming in loads tiles of a finer level.
    # The image's centre at the viewport's centre, so that zooming in about it keeps the image in view.
    browser.execute_script("const v = document.getElementById('viewport'), w = window.mifaViewer.image.levels[0].shape.slice(-1)[0];"
                           "window.mifaViewer.setView(0.25, v.clientWidth / 2 - w / 8, v.clientHeight / 2 - w / 8)")
    viewer_tiles_loaded(browser)
    coarse = browser.execute_script("return window.mifaViewer.state.level")
    assert coarse > 0
    for _ in range(4):  # each click doubles the zoom; the level changes once a finer one is needed
        browser.find_element("id", "zoom-in").click()
        viewer_tiles_loaded(browser)
        finer = browser.execute_script("return window.mifaViewer.state.level")
        if finer != coarse:
            break
    assert finer == coarse - 1
    requested = browser.execute_script("return window.mifaViewer.requested")
    assert any(f"/api/tiles/IM1/{finer}/" in url for url in requested)
    loaded = browser.execute_script("return [...document.querySelectorAll('#layers img.image')].map(i => i.dataset.level)")
    assert loaded and all(level == str(finer) for level in loaded)
    assert severe_logs(browser) == []


# ------------------------------------------------- the objects changed between versions, drawn

CHANGE_COLOURS = {"added": (0, 200, 83), "removed": (255, 23, 68), "changed": (255, 145, 0)}


def square(ident, image, x, y, size):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Feature", "id": ident, "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"image_id": image}}


@pytest.fixture(scope="module")
def versioned(mifa, mifa_bin, tmp_path_factory):
    """The package_helpers package (64x64 img1, img2) with versions 2 and 3 of its `cells` set:
    from 2 to 3 on img1, object 5 is removed, object 1 moves (changed), object 4 is added and
    object 6 stays; on img2 nothing changes."""
    from package_helpers import build_package, cells_geojson, commit_version
    work = tmp_path_factory.mktemp("versioned")
    root = build_package(mifa, work / "pkg", work / "inputs")
    cells = cells_geojson()
    v2 = cells["features"] + [square(5, "img1", 44, 4, 10), square(6, "img1", 44, 44, 10)]
    v3 = [square(1, "img1", 2, 40, 8) if f["id"] == 1 else f for f in v2 if f["id"] != 5] + [square(4, "img1", 22, 6, 12)]
    for version, features in (("2", v2), ("3", v3)):
        collection = dict(cells, features=features)
        commit_version(root, version, f"2026-01-0{version}T00:00:00Z", "annotations/cells/annotations.geojson", (json.dumps(collection) + "\n").encode())
    running = Server(mifa_bin, root)
    yield running, {"added": [(22, 6, 12)], "removed": [(44, 4, 10)], "changed-old": [(2, 3, 8)], "changed-new": [(2, 40, 8)]}
    running.stop()


def outline_band(shape, box, scale, margin=3):
    """Screen pixels within `margin` of the outline of square `box` (x, y, size) drawn at `scale`."""
    x, y, size = (v * scale for v in box)
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]]
    near = (rows >= y - margin) & (rows <= y + size + margin) & (cols >= x - margin) & (cols <= x + size + margin)
    inside = (rows > y + margin) & (rows < y + size - margin) & (cols > x + margin) & (cols < x + size - margin)
    return near & ~inside


def test_version_changes_drawn_on_the_image(browser, versioned):
    server, boxes = versioned
    status, _, body = server.request("GET", "/api/versions/2/3/images/img1/changes")
    assert status == 200
    changes = sorted((f["properties"]["change"], f["properties"]["version"], f["id"]) for f in json.loads(body)["features"])
    assert changes == [("added", "3", 4), ("changed", "2", 1), ("changed", "3", 1), ("removed", "2", 5)]
    assert json.loads(server.request("GET", "/api/versions/2/3/images/img2/changes")[2])["features"] == []

    browser.get(server.url + "/versions/2/3")
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "a.changed-image")]
    assert links == [server.url + "/versions/2/3/images/img1"]
    browser.get(links[0])
    viewer_tiles_loaded(browser)
    assert severe_logs(browser) == []
    scale = 8  # the 64x64 image as 512x512 screen pixels at the viewport's top-left corner
    browser.execute_script(f"window.mifaViewer.state.labels = {{}}; window.mifaViewer.setView({scale}, 0, 0)")
    viewer_tiles_loaded(browser)
    shot = np.asarray(Image.open(io.BytesIO(browser.find_element("id", "viewport").screenshot_as_png)).convert("RGB"))
    expected_boxes = {"added": boxes["added"], "removed": boxes["removed"], "changed": boxes["changed-old"] + boxes["changed-new"]}
    for change, colour in CHANGE_COLOURS.items():
        painted = (shot == np.array(colour, dtype=np.uint8)).all(axis=2)
        allowed = np.zeros(painted.shape, dtype=bool)
        for box in expected_boxes[change]:
            band = outline_band(painted.shape, box, scale)
            assert painted[band].sum() >= 2 * box[2] * scale, (change, box)  # a good part of the outline's 4 sides
            allowed |= band
        assert not painted[~allowed].any(), f"{change} colour drawn away from the {change} objects"
    # The changed object's old outline is dashed (gaps along its top edge), its new one solid.
    orange = (shot == np.array(CHANGE_COLOURS["changed"], dtype=np.uint8)).all(axis=2)
    def top_edge_fraction(box):
        x, y, size = (v * scale for v in box)
        return orange[y - 1:y + 2, x + 4:x + size - 4].any(axis=0).mean()
    assert 0.3 < top_edge_fraction(boxes["changed-old"][0]) < 0.85
    assert top_edge_fraction(boxes["changed-new"][0]) > 0.95
    # Hover names the change and the object; toggling a kind of change removes its outlines.
    describe = browser.execute_script(
        "const el = document.querySelector('g[data-set=\"change-added\"] .shape'); el.dispatchEvent(new Event('mouseenter'));"
        "return document.getElementById('info').textContent")
    assert describe.startswith("added (version 3)") and "id 4" in describe
    browser.find_element("id", "set-toggle-change-added").click()
    shot = np.asarray(Image.open(io.BytesIO(browser.find_element("id", "viewport").screenshot_as_png)).convert("RGB"))
    assert not (shot == np.array(CHANGE_COLOURS["added"], dtype=np.uint8)).all(axis=2).any()
    assert severe_logs(browser) == []


# ------------------------------------------------------------------------------------ tracks

TIMELAPSE = ROOT / "Samples" / "timelapse"


@pytest.fixture(scope="module")
def timelapse(mifa, mifa_bin, tmp_path_factory):
    """The timelapse sample packed (CTC tracks become set1: one polygon per object and frame,
    with `frame` and `track_id`), served."""
    if not (TIMELAPSE / "images").exists():
        pytest.fail("the samples are not generated: run `make samples`")
    target = tmp_path_factory.mktemp("timelapse") / "timelapse.mifa"
    mifa("pack", TIMELAPSE, target, "--metadata", TIMELAPSE / "mifa.yaml", "--file-list", TIMELAPSE / "files.tsv")
    running = Server(mifa_bin, target)
    yield running, target
    running.stop()


def bbox_centre(geometry):
    points = np.array([p for ring in geometry["coordinates"] for p in ring], dtype=float)
    return (points.min(axis=0) + points.max(axis=0)) / 2


def near_segments(shape, points, margin):
    """Screen pixels within `margin` of the polyline through `points` (screen coordinates)."""
    mask = np.zeros(shape, dtype=bool)
    for (x0, y0), (x1, y1) in zip(points, points[1:] if len(points) > 1 else points):
        for f in np.linspace(0, 1, int(max(abs(x1 - x0), abs(y1 - y0))) * 2 + 2):
            x, y = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
            mask[max(0, int(y - margin)):int(y + margin) + 1, max(0, int(x - margin)):int(x + margin) + 1] = True
    return mask


def test_tracks_drawn_as_paths_with_the_objects_of_the_current_frame(browser, timelapse):
    server, package = timelapse
    collection = json.loads((package / "annotations" / "set1" / "annotations.geojson").read_text())
    features = collection["features"]
    tracks = {}
    for feature in features:
        p = feature["properties"]
        tracks.setdefault(p["track_id"], []).append((p["frame"], bbox_centre(feature["geometry"])))
    assert len(tracks) == len(collection["mifa:tracks"]) > 1
    colour = next(s["color"] for s in json.loads(server.request("GET", "/api/sets")[2]) if s["id"] == "set1")
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)

    browser.get(server.url + "/images/TL1")
    viewer_tiles_loaded(browser)
    assert severe_logs(browser) == []
    # One path per track through its objects' centres, in frame order.
    drawn = browser.execute_script(
        "return [...document.querySelectorAll('g.set[data-set=\"set1\"] polyline.track')].map(p => [Number(p.dataset.track), p.getAttribute('points')])")
    assert sorted(t for t, _ in drawn) == sorted(tracks)
    for track, points in drawn:
        expected = [c for _, c in sorted(tracks[track], key=lambda s: s[0])]
        got = [tuple(map(float, pair.split(","))) for pair in points.split()]
        np.testing.assert_allclose(got, expected)
    scale = 2  # the 256x256 frame as 512x512 screen pixels at the viewport's top-left corner
    frames = sorted({f["properties"]["frame"] for f in features})
    for t in (frames[0], frames[len(frames) // 2], frames[-1]):
        browser.execute_script(f"window.mifaViewer.state.labels = {{}}; window.mifaViewer.setView({scale}, 0, 0); window.mifaViewer.setFrame({t})")
        viewer_tiles_loaded(browser)
        at_t = [f for f in features if f["properties"]["frame"] == t]
        visible = browser.execute_script(
            "return [...document.querySelectorAll('g.set[data-set=\"set1\"] [data-frame]')].filter(e => e.style.display !== 'none').map(e => Number(e.dataset.frame))")
        assert visible == [t] * len(at_t), t
        shot = np.asarray(Image.open(io.BytesIO(browser.find_element("id", "viewport").screenshot_as_png)).convert("RGB"))
        painted = (shot == rgb).all(axis=2)
        allowed = np.zeros(painted.shape, dtype=bool)
        for steps in tracks.values():
            path = [c * scale for _, c in sorted(steps, key=lambda s: s[0])]
            allowed |= near_segments(painted.shape, path, 3)
            assert painted[near_segments(painted.shape, path, 2)].any(), "a track path is not drawn"
        for feature in at_t:
            points = np.array(feature["geometry"]["coordinates"][0], dtype=float) * scale
            (x0, y0), (x1, y1) = points.min(axis=0) - 3, points.max(axis=0) + 3
            allowed[max(0, int(y0)):int(y1) + 1, max(0, int(x0)):int(x1) + 1] = True
            assert painted[max(0, int(y0)):int(y1) + 1, max(0, int(x0)):int(x1) + 1].sum() > 0, "an object at t is not drawn"
        assert not painted[~allowed].any(), f"the set colour drawn away from the tracks and the objects of frame {t}"
    # Hover on a path names its track.
    track = drawn[0][0]
    describe = browser.execute_script(
        f"const el = document.querySelector('polyline.track[data-track=\"{track}\"]'); el.dispatchEvent(new Event('mouseenter'));"
        "return document.getElementById('info').textContent")
    assert f"track {track}" in describe
    assert severe_logs(browser) == []


# ------------------------------------------------- the label objects changed between versions, drawn

@pytest.fixture(scope="module")
def relabelled(mifa, mifa_bin, tmp_path_factory):
    """The package_helpers package with version 2 editing img1's `nuclei` label image (both levels):
    label 3 erased (removed), label 1 moved right (changed), label 4 drawn (added), label 2 kept."""
    from package_helpers import build_package, nuclei_mask, store_object, write_version
    work = tmp_path_factory.mktemp("relabelled")
    root = build_package(mifa, work / "pkg", work / "inputs")
    old = nuclei_mask()
    new = old.copy()
    new[new == 3] = 0
    new[new == 1] = 0
    new[5:17, 40:54] = 1
    new[20:28, 4:14] = 4
    folder = root / "images" / "img1" / "labels" / "nuclei"
    for path in folder.rglob("*"):
        if path.is_file():
            store_object(root, path.read_bytes())  # version 1's files stay readable
    group = zarr.open_group(folder, mode="r+")
    paths = [d["path"] for d in group.attrs["ome"]["multiscales"][0]["datasets"]]
    for level, path in enumerate(paths):
        step = 2 ** level
        group[path][...] = new[::step, ::step].reshape(group[path].shape)
    write_version(root, "2", "2026-01-02T00:00:00Z", previous="1", changes="relabel")
    running = Server(mifa_bin, root)
    yield running, old, new
    running.stop()


def test_label_changes_drawn_on_the_image(browser, relabelled):
    server, old, new = relabelled
    status, _, body = server.request("GET", "/api/versions/1/2/images/img1/label-changes")
    assert status == 200
    assert json.loads(body)["sets"] == [{"set": "nuclei", "added": [4], "removed": [3], "changed": [1]}]
    assert json.loads(server.request("GET", "/api/versions/1/2/images/img2/label-changes")[2])["sets"] == []
    assert server.request("GET", "/api/versions/1/9/images/img1/label-changes")[0] == 404
    assert server.request("GET", "/api/versions/1/2/tiles/img1/0/0/0.png?changes=moved")[0] == 400

    browser.get(server.url + "/versions/1/2")
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "a.changed-image")]
    assert links == [server.url + "/versions/1/2/images/img1"]
    browser.get(links[0])
    viewer_tiles_loaded(browser)
    scale = 8  # the 64x64 image as 512x512 screen pixels at the viewport's top-left corner
    browser.execute_script(f"window.mifaViewer.setView({scale}, 0, 0)")
    viewer_tiles_loaded(browser)
    assert browser.execute_script("return window.mifaViewer.state.level") == 0

    def screenshot():
        shot = np.asarray(Image.open(io.BytesIO(browser.find_element("id", "viewport").screenshot_as_png)).convert("RGB"))
        return shot[:64 * scale, :64 * scale]

    def on_screen(mask):
        return np.kron(mask, np.ones((scale, scale), dtype=bool))

    # Drawn in order: removed and changed where version 1 has them, then added and changed where 2 has them.
    drawn_over = (new == 1) | (new == 4)
    expected = {"removed": on_screen((old == 3) & ~drawn_over), "changed": on_screen((new == 1) | ((old == 1) & (new != 4))),
                "added": on_screen(new == 4)}
    shot = screenshot()
    for change, colour in CHANGE_COLOURS.items():
        painted = (shot == np.array(colour, dtype=np.uint8)).all(axis=2)
        assert expected[change].any() and (painted == expected[change]).all(), f"{change} colour not exactly on the {change} label objects"
    unchanged = ~(on_screen(old != 0) | on_screen(new != 0)) | on_screen((old == 2) & (new == 2))
    grey = shot[unchanged]
    assert (grey[:, 0] == grey[:, 1]).all() and (grey[:, 1] == grey[:, 2]).all(), "a change colour away from the changed objects"
    # Hover (a real pointer moved over the screen) names the label object under it: its change, version, set and value.
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    left, top = browser.execute_script("const b = document.getElementById('viewport').getBoundingClientRect(); return [b.left, b.top]")
    hovers = [((old == 3) & (new == 0), "removed (version 1) · label set nuclei · value 3"),
              (new == 4, "added (version 2) · label set nuclei · value 4"),
              ((old == 1) & (new == 0), "changed (version 1) · label set nuclei · value 1"),
              ((new == 1) & (old == 0), "changed (version 2) · label set nuclei · value 1")]
    for where, expected_text in hovers:
        row, column = np.argwhere(where)[len(np.argwhere(where)) // 2]
        pointer = ActionBuilder(browser)
        pointer.pointer_action.move_to_location(int(left + column * scale + scale // 2), int(top + row * scale + scale // 2))
        pointer.perform()
        wait_for(browser, f"return document.getElementById('info').textContent === {json.dumps(expected_text)}", timeout=10)
    status, _, body = server.request("GET", "/api/versions/1/2/images/img1/label-changes/at?x=5&y=5")
    assert status == 200 and json.loads(body)["objects"] == []
    assert server.request("GET", "/api/versions/1/2/images/img1/label-changes/at?x=64&y=0")[0] == 400
    # Toggling a kind of change removes its colour.
    browser.find_element("id", "set-toggle-change-added").click()
    viewer_tiles_loaded(browser)
    shot = screenshot()
    assert not (shot == np.array(CHANGE_COLOURS["added"], dtype=np.uint8)).all(axis=2).any()
    assert (shot == np.array(CHANGE_COLOURS["removed"], dtype=np.uint8)).all(axis=2).any()
    assert severe_logs(browser) == []
