#!/usr/bin/env python3
"""Generate MIFAKit's two sample datasets, byte for byte the same on every run.

    .venv/bin/python Samples/generate_samples.py [--out Samples]

(a) nuclei/: six 512x512 uint16 widefield fluorescence images of nuclei (IM1..IM5 as ImageJ TIFF with
    0.1625 um pixels, IM6 as a 16-bit PNG), with
      masks/IMn.tif          instance masks (uint16, 0 = background, 1..n one id per nucleus), IM1..IM5
      coco/instances.json    the same nuclei as COCO polygons (iscrowd 0), IM1..IM5
      geojson/IMn.geojson    the same nuclei as QuPath 0.4+ GeoJSON, IM1..IM4
    IM6 has no annotations and IM5 no GeoJSON, so that coverage checks have something to find.

    How vector and raster agree: each nucleus is first drawn as a polygon (floating-point vertices,
    rounded to 1/100 pixel, as annotation tools save them). The COCO file holds those polygons; the
    instance mask is their rasterisation by pycocotools (`frPyObjects` + `decode`, the algorithm
    that defines what a COCO polygon covers), so decoding the COCO file gives the masks exactly.
    Nuclei are placed so that their rasterisations never overlap (touching is allowed and happens).
    The GeoJSON is the mask traced along pixel edges (integer corners, one polygon per 4-connected
    part, outer rings counter-clockwise), so it covers exactly the mask's pixel squares.

(b) timelapse/: a 24-frame 256x256 uint16 time-lapse of moving, dividing cells as an ImageJ
    hyperstack (images/TL1.tif, axes TYX) with Cell Tracking Challenge ground truth in
    TL1_GT/TRA/ (man_track000.tif ... man_track023.tif, man_track.txt with L B E P lines).

Coordinates follow the pixel-grid convention of ../shared/spec (DESIGN.md): pixel (row r, column c)
is the square [c, c+1) x [r, r+1). Everything comes from fixed seeds; files are written only when
their bytes change, so running twice leaves the tree (and its timestamps) as it was.
"""
from __future__ import annotations

import argparse
import io
import json
import uuid
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image
from pycocotools import mask as mask_util
from shapely import simplify
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from skimage.filters import gaussian

SEED = 20260302
NUCLEI_SIZE = 512
NUCLEI_IMAGES = ["IM1", "IM2", "IM3", "IM4", "IM5", "IM6"]
MASKED = NUCLEI_IMAGES[:5]
GEOJSON = NUCLEI_IMAGES[:4]
PNG_IMAGES = {"IM6"}
TL_SIZE = 256
TL_FRAMES = 24
UUID_NAMESPACE = uuid.UUID("6f1d3c52-4a8e-4d63-9d0e-5b7c2f0a9e11")
NUCLEUS_CLASS = {"name": "Nucleus", "color": [0, 200, 120]}


# ----------------------------------------------------------------------------- writing files

def write_if_changed(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it already holds exactly these bytes (keeps mtimes stable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def tiff_bytes(array: np.ndarray, **kwargs) -> bytes:
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array, **kwargs)
    return buffer.getvalue()


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def json_bytes(document) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# ----------------------------------------------------------------------------- geometry

def nucleus_polygon(rng: np.random.Generator, cx: float, cy: float, radius: float) -> list[float]:
    """A smooth, slightly irregular ellipse as a flat COCO polygon [x0, y0, x1, y1, ...]."""
    vertices = int(rng.integers(28, 44))
    t = np.linspace(0.0, 2.0 * np.pi, vertices, endpoint=False)
    wobble = np.ones_like(t)
    for k in (2, 3, 4, 5):
        wobble += rng.uniform(0.0, 0.07 / (k - 1)) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    aspect = rng.uniform(0.7, 1.0)
    angle = rng.uniform(0, np.pi)
    x = radius * wobble * np.cos(t)
    y = radius * aspect * wobble * np.sin(t)
    xs = cx + x * np.cos(angle) - y * np.sin(angle)
    ys = cy + x * np.sin(angle) + y * np.cos(angle)
    flat = np.empty(2 * vertices)
    flat[0::2], flat[1::2] = xs, ys
    return [round(float(v), 2) for v in flat]


def rasterise(polygon: list[float], height: int, width: int) -> np.ndarray:
    """The pixels pycocotools assigns to a COCO polygon (boolean, height x width)."""
    rle = mask_util.merge(mask_util.frPyObjects([polygon], height, width))
    return mask_util.decode(rle).astype(bool)


def trace(mask: np.ndarray) -> Polygon | MultiPolygon:
    """The union of the pixel squares of `mask`, with integer corners, RFC 7946 winding."""
    boxes = []
    for row in np.flatnonzero(mask.any(axis=1)):
        line = np.concatenate(([False], mask[row], [False]))
        edges = np.flatnonzero(line[1:] != line[:-1])
        for start, stop in zip(edges[0::2], edges[1::2]):
            boxes.append(box(int(start), int(row), int(stop), int(row) + 1))
    shape = simplify(unary_union(boxes), 0)
    if isinstance(shape, Polygon):
        return orient(shape, 1.0)
    return MultiPolygon([orient(part, 1.0) for part in sorted(shape.geoms, key=lambda p: p.bounds)])


def integer_coordinates(geometry: dict) -> dict:
    """GeoJSON geometry with integral coordinates written as integers."""
    def convert(value):
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return int(value) if float(value).is_integer() else float(value)
    return {"type": geometry["type"], "coordinates": convert(geometry["coordinates"])}


# ----------------------------------------------------------------------------- image formation

def microscope(signal: np.ndarray, rng: np.random.Generator, offset: float = 100.0) -> np.ndarray:
    """Blur by the PSF, add out-of-focus haze, photon (Poisson) and read (Gaussian) noise -> uint16."""
    sharp = gaussian(signal, sigma=1.3, preserve_range=True)
    haze = gaussian(signal, sigma=8.0, preserve_range=True)
    expected = np.clip(sharp + 0.12 * haze, 0, None)
    photons = rng.poisson(expected).astype(np.float64)
    counts = offset + photons + rng.normal(0.0, 6.0, signal.shape)
    return np.clip(np.rint(counts), 0, 65535).astype(np.uint16)


def illumination(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Uneven background: a broad vignetting gradient."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    cy, cx = rng.uniform(0.3, 0.7) * height, rng.uniform(0.3, 0.7) * width
    return 40.0 + 35.0 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * (0.6 * max(height, width)) ** 2))


def texture(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Chromatin-like texture: smoothed noise around 1."""
    noise = gaussian(rng.normal(0.0, 1.0, shape), sigma=2.0)
    return 1.0 + 0.18 * noise / (noise.std() + 1e-12)


# ----------------------------------------------------------------------------- (a) nuclei

def place_nuclei(rng: np.random.Generator, count: int) -> tuple[np.ndarray, list[list[float]]]:
    """Polygons whose pycocotools rasterisations do not overlap, some touching; and their label image."""
    size = NUCLEI_SIZE
    labels = np.zeros((size, size), dtype=np.uint16)
    polygons: list[list[float]] = []
    centres: list[tuple[float, float, float]] = []
    attempts = 0
    while len(polygons) < count and attempts < 40 * count:
        attempts += 1
        radius = rng.uniform(9.0, 17.0)
        if centres and rng.random() < 0.35:
            px, py, pr = centres[int(rng.integers(len(centres)))]
            direction = rng.uniform(0, 2 * np.pi)
            cx, cy = px + (pr + radius) * np.cos(direction), py + (pr + radius) * np.sin(direction)
        else:
            cx, cy = rng.uniform(0, size), rng.uniform(0, size)
        margin = 1.3 * radius + 3
        if not (margin < cx < size - margin and margin < cy < size - margin):
            continue
        polygon = nucleus_polygon(rng, cx, cy, radius)
        scale = 1.0
        while scale > 0.6:
            scaled = [round(cx + (v - cx) * scale, 2) if i % 2 == 0 else round(cy + (v - cy) * scale, 2)
                      for i, v in enumerate(polygon)]
            pixels = rasterise(scaled, size, size)
            if not labels[pixels].any():
                break
            scale -= 0.05
        else:
            continue
        if pixels.sum() < 60:
            continue
        polygons.append(scaled)
        centres.append((cx, cy, radius * scale))
        labels[pixels] = len(polygons)
    return labels, polygons


def nuclei_image(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A widefield image of the labelled nuclei: varied brightness, texture, debris, noise."""
    size = labels.shape[0]
    signal = illumination(size, size, rng)
    grain = texture(labels.shape, rng)
    brightness = np.concatenate(([0.0], rng.lognormal(np.log(900.0), 0.35, int(labels.max()))))
    signal += brightness[labels] * grain
    # Out-of-focus nuclei and debris: not annotated (the criteria exclude them).
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    for _ in range(int(rng.integers(2, 5))):
        cx, cy, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(6, 14)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r ** 2))
        signal += rng.uniform(120, 300) * blob * (labels == 0)
    return microscope(signal, rng)


def coco_document(objects: dict[str, list[list[float]]]) -> dict:
    images, annotations = [], []
    next_id = 1
    for image_number, name in enumerate(MASKED, start=1):
        images.append({"id": image_number, "file_name": f"{name}.tif", "width": NUCLEI_SIZE,
                       "height": NUCLEI_SIZE, "license": 1, "date_captured": "2026-02-27 14:05:00"})
        for polygon in objects[name]:
            rle = mask_util.merge(mask_util.frPyObjects([polygon], NUCLEI_SIZE, NUCLEI_SIZE))
            annotations.append({
                "id": next_id, "image_id": image_number, "category_id": 1,
                "segmentation": [polygon],
                "area": int(mask_util.area(rle)),
                "bbox": [float(v) for v in mask_util.toBbox(rle)],
                "iscrowd": 0,
            })
            next_id += 1
    return {
        "info": {"description": "MIFAKit nuclei sample: nuclear instance annotations",
                 "version": "1.0", "year": 2026, "contributor": "Ada Lindqvist, Tomás Okafor",
                 "date_created": "2026-03-02"},
        "licenses": [{"id": 1, "name": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}],
        "images": images,
        "annotations": annotations,
        "categories": [{"id": 1, "name": "nucleus", "supercategory": "cell"}],
    }


def touches_other(labels: np.ndarray, value: int) -> bool:
    """Whether object `value` shares a pixel edge with another object."""
    own = labels == value
    for shifted in (np.roll(labels, 1, 0), np.roll(labels, -1, 0), np.roll(labels, 1, 1), np.roll(labels, -1, 1)):
        if np.any(own & (shifted != 0) & (shifted != value)):
            return True
    return False


def geojson_document(name: str, labels: np.ndarray) -> dict:
    """QuPath 0.4+ style: nuclei found by cell detection are detections; the touching ones, which
    the annotator redrew by hand, are annotations."""
    features = []
    for value in range(1, int(labels.max()) + 1):
        drawn = touches_other(labels, value)
        geometry = integer_coordinates(mapping(trace(labels == value)))
        features.append({
            "type": "Feature",
            "id": str(uuid.uuid5(UUID_NAMESPACE, f"nuclei/{name}/{value}")),
            "geometry": geometry,
            "properties": {
                "objectType": "annotation" if drawn else "detection",
                "classification": dict(NUCLEUS_CLASS),
                "isLocked": False,
                "measurements": {"Label": value, "Area px^2": int((labels == value).sum())},
            },
        })
    return {"type": "FeatureCollection", "features": features}


def generate_nuclei(root: Path) -> None:
    rng = np.random.default_rng(SEED)
    objects: dict[str, list[list[float]]] = {}
    for name in NUCLEI_IMAGES:
        labels, polygons = place_nuclei(rng, count=int(rng.integers(30, 48)))
        image = nuclei_image(labels, rng)
        if name in PNG_IMAGES:
            write_if_changed(root / "images" / f"{name}.png", png_bytes(image))
        else:
            write_if_changed(root / "images" / f"{name}.tif",
                             tiff_bytes(image, imagej=True, resolution=(1 / 0.1625, 1 / 0.1625),
                                        metadata={"axes": "YX", "unit": "um"}))
        if name in MASKED:
            objects[name] = polygons
            write_if_changed(root / "masks" / f"{name}.tif",
                             tiff_bytes(labels, photometric="minisblack", compression="zlib", metadata=None))
        if name in GEOJSON:
            write_if_changed(root / "geojson" / f"{name}.geojson", json_bytes(geojson_document(name, labels)))
    write_if_changed(root / "coco" / "instances.json", json_bytes(coco_document(objects)))


# ----------------------------------------------------------------------------- (b) time-lapse

class Cell:
    def __init__(self, label: int, x: float, y: float, radius: float, brightness: float, parent: int, start: int):
        self.label, self.x, self.y, self.radius = label, x, y, radius
        self.brightness, self.parent, self.start = brightness, parent, start
        self.end = start
        self.angle = 0.0
        self.vx = self.vy = 0.0


def simulate_tracks(rng: np.random.Generator) -> tuple[np.ndarray, list[Cell]]:
    """Cells that wander (persistent random walk), repel each other and divide; one label per track."""
    size = TL_SIZE
    cells = [Cell(i + 1, x, y, rng.uniform(9.0, 12.0), rng.uniform(700, 1300), 0, 0)
             for i, (x, y) in enumerate([(60, 60), (180, 70), (120, 140), (60, 200), (200, 195)])]
    for cell in cells:
        cell.angle = rng.uniform(0, np.pi)
    divisions = {9: 3, 15: 1, 17: 5}  # frame -> label of the cell that divides just before it
    alive = list(cells)
    everyone = list(cells)
    labels = np.zeros((TL_FRAMES, size, size), dtype=np.uint16)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    for frame in range(TL_FRAMES):
        if frame in divisions:
            mother = next(c for c in alive if c.label == divisions[frame])
            alive.remove(mother)
            for side in (-1.0, 1.0):
                daughter = Cell(len(everyone) + 1, mother.x + side * 0.55 * mother.radius * np.cos(mother.angle),
                                mother.y + side * 0.55 * mother.radius * np.sin(mother.angle),
                                0.8 * mother.radius, mother.brightness * rng.uniform(0.9, 1.1), mother.label, frame)
                daughter.angle = mother.angle + np.pi / 2
                daughter.vx, daughter.vy = side * 1.2 * np.cos(mother.angle), side * 1.2 * np.sin(mother.angle)
                everyone.append(daughter)
                alive.append(daughter)
        if frame > 0:
            for cell in alive:
                if cell.start == frame:
                    continue
                cell.vx = 0.7 * cell.vx + rng.normal(0, 1.0)
                cell.vy = 0.7 * cell.vy + rng.normal(0, 1.0)
                cell.x += cell.vx
                cell.y += cell.vy
                cell.angle += rng.normal(0, 0.08)
                cell.radius = min(cell.radius * 1.01, 12.5)
        for _ in range(20):  # push overlapping cells apart, keep them inside the field
            for i, a in enumerate(alive):
                for b in alive[i + 1:]:
                    dx, dy = b.x - a.x, b.y - a.y
                    distance = max(np.hypot(dx, dy), 1e-6)
                    wanted = a.radius + b.radius + 1.0
                    if distance < wanted:
                        push = (wanted - distance) / 2
                        a.x -= push * dx / distance
                        a.y -= push * dy / distance
                        b.x += push * dx / distance
                        b.y += push * dy / distance
            for cell in alive:
                margin = cell.radius + 4
                cell.x = min(max(cell.x, margin), size - margin)
                cell.y = min(max(cell.y, margin), size - margin)
        for cell in sorted(alive, key=lambda c: c.label):
            u = (xx - cell.x) * np.cos(cell.angle) + (yy - cell.y) * np.sin(cell.angle)
            v = -(xx - cell.x) * np.sin(cell.angle) + (yy - cell.y) * np.cos(cell.angle)
            inside = (u / cell.radius) ** 2 + (v / (0.8 * cell.radius)) ** 2 <= 1.0
            inside &= labels[frame] == 0
            if inside.sum() < 30:
                raise RuntimeError(f"cell {cell.label} almost hidden in frame {frame}; change the seed")
            labels[frame][inside] = cell.label
            cell.end = frame
    return labels, everyone


def generate_timelapse(root: Path) -> None:
    rng = np.random.default_rng(SEED + 1)
    labels, cells = simulate_tracks(rng)
    frames = np.empty_like(labels)
    brightness = np.zeros(len(cells) + 1)
    for cell in cells:
        brightness[cell.label] = cell.brightness
    for frame in range(TL_FRAMES):
        # Mothers round up and brighten in the two frames before they divide.
        boost = np.ones(len(cells) + 1)
        for cell in cells:
            if any(c.parent == cell.label for c in cells) and cell.end - frame in (0, 1):
                boost[cell.label] = 1.6
        signal = illumination(TL_SIZE, TL_SIZE, rng) + (brightness * boost)[labels[frame]] * texture(labels[frame].shape, rng)
        frames[frame] = microscope(signal, rng)
    write_if_changed(root / "images" / "TL1.tif",
                     tiff_bytes(frames, imagej=True, resolution=(1 / 0.65, 1 / 0.65),
                                metadata={"axes": "TYX", "unit": "um", "finterval": 300.0}))
    tra = root / "TL1_GT" / "TRA"
    for frame in range(TL_FRAMES):
        write_if_changed(tra / f"man_track{frame:03d}.tif",
                         tiff_bytes(labels[frame], photometric="minisblack", compression="zlib", metadata=None))
    lines = "".join(f"{c.label} {c.start} {c.end} {c.parent}\n" for c in sorted(cells, key=lambda c: c.label))
    write_if_changed(tra / "man_track.txt", lines.encode("ascii"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="the Samples folder to write into (default: the folder of this script)")
    args = parser.parse_args()
    generate_nuclei(args.out / "nuclei")
    generate_timelapse(args.out / "timelapse")


if __name__ == "__main__":
    main()
