// The image viewer: pan and zoom over PNG tiles rendered by the server, the level chosen by the
// zoom, channel and plane controls, label images as overlay tiles, vector sets as SVG with toggles
// (tracks as one path per track, per-frame objects at their frame);
// on a version change page, the objects added, removed and changed between two versions instead of
// the sets and label images (vector objects as SVG, label objects as overlay tiles in the same colours;
// hovering a changed label object asks the server which objects are under the pointer).
// window.mifaViewer exposes the state and the tiles requested, for tests and the console.
"use strict";
(function () {
  const prefix = document.body.dataset.prefix;
  const token = document.body.dataset.token;
  const viewport = document.getElementById("viewport");
  const layers = document.getElementById("layers");
  const shapes = document.getElementById("shapes");
  const controls = document.getElementById("controls");
  const status = document.getElementById("status");
  const info = document.getElementById("info");
  const imageID = viewport.dataset.image;
  // On /versions/<from>/<to>/images/<id>: the objects that differ between the two versions.
  const versions = viewport.dataset.from != null ? { from: viewport.dataset.from, to: viewport.dataset.to } : null;
  const CHANGE_COLORS = { added: "#00c853", removed: "#ff1744", changed: "#ff9100" };
  const SVG = "http://www.w3.org/2000/svg";

  function url(path, params) {
    const query = new URLSearchParams(params || {});
    if (token) query.set("token", token);
    const text = query.toString();
    return prefix + path + (text ? "?" + text : "");
  }

  const viewer = { state: null, requested: [], ready: false, image: null };
  window.mifaViewer = viewer;

  function levelFactors(image) {
    const axes = image.axes, yi = axes.indexOf("y"), xi = axes.indexOf("x");
    const full = image.levels[0].shape;
    return image.levels.map((level) => ({
      height: level.shape[yi], width: level.shape[xi],
      factor: full[xi] / level.shape[xi],
    }));
  }

  // The coarsest level that still has at least one level pixel per screen pixel.
  function chooseLevel(levels, scale) {
    let chosen = 0;
    levels.forEach((level, index) => { if (level.factor <= 1 / scale + 1e-9) chosen = index; });
    return chosen;
  }

  function draw() {
    const s = viewer.state, image = viewer.image;
    if (!s) return;
    const levels = levelFactors(image);
    const level = s.fixedLevel != null ? s.fixedLevel : chooseLevel(levels, s.scale);
    s.level = level;
    const L = levels[level], tile = image.tile_size;
    const width = viewport.clientWidth, height = viewport.clientHeight;
    const pixel = s.scale * L.factor; // screen pixels per level pixel
    const x0 = Math.max(0, Math.floor(-s.x / pixel / tile)), y0 = Math.max(0, Math.floor(-s.y / pixel / tile));
    const x1 = Math.min(Math.ceil(L.width / tile), Math.ceil((width - s.x) / pixel / tile));
    const y1 = Math.min(Math.ceil(L.height / tile), Math.ceil((height - s.y) / pixel / tile));
    const params = { channels: s.channels.join(","), t: s.t, z: s.z };
    const shownLabels = image.labels.map((l) => l.name).filter((n) => s.labels[n]);
    // Label objects that changed: one overlay tile per tile, with the kinds of change toggled on.
    const changeKinds = viewer.labelChanges && viewer.labelChanges.sets.length
      ? Object.keys(CHANGE_COLORS).filter((c) => s.sets["change-" + c]) : [];
    const fragment = document.createDocumentFragment();
    for (let row = y0; row < y1; row++) {
      for (let column = x0; column < x1; column++) {
        const left = Math.round(s.x + column * tile * pixel), top = Math.round(s.y + row * tile * pixel);
        const w = Math.min(tile, L.width - column * tile) * pixel, h = Math.min(tile, L.height - row * tile) * pixel;
        const path = "/api/tiles/" + encodeURIComponent(imageID) + "/" + level + "/" + row + "/" + column + ".png";
        const sources = [["image", url(path, params)]];
        if (shownLabels.length) sources.push(["label", url(path, Object.assign({}, params, { image: 0, labels: shownLabels.join(",") }))]);
        if (changeKinds.length) {
          const changePath = versionsPath() + "/tiles/" + encodeURIComponent(imageID) + "/" + level + "/" + row + "/" + column + ".png";
          sources.push(["label-change", url(changePath, { t: s.t, z: s.z, changes: changeKinds.join(",") })]);
        }
        for (const [kind, src] of sources) {
          const img = document.createElement("img");
          img.className = "tile " + kind;
          img.dataset.level = level;
          img.style.left = left + "px"; img.style.top = top + "px";
          img.style.width = w + "px"; img.style.height = h + "px";
          img.src = src;
          if (!viewer.requested.includes(src)) viewer.requested.push(src);
          fragment.appendChild(img);
        }
      }
    }
    layers.replaceChildren(fragment);
    for (const group of shapes.querySelectorAll("g.set")) {
      group.setAttribute("transform", "translate(" + s.x + " " + s.y + ") scale(" + s.scale + ")");
      group.style.display = s.sets[group.dataset.set] ? "" : "none";
    }
    status.textContent = "level " + level + " · zoom " + s.scale.toFixed(3);
  }

  function geometryElements(geometry, set) {
    const out = [];
    const ring = (coords) => coords.map((p) => p[0] + "," + p[1]).join(" ");
    const add = (name, attrs) => { const el = document.createElementNS(SVG, name); for (const k in attrs) el.setAttribute(k, attrs[k]); out.push(el); };
    switch (geometry.type) {
      case "Polygon": geometry.coordinates.forEach((r) => add("polygon", { points: ring(r) })); break;
      case "MultiPolygon": geometry.coordinates.forEach((p) => p.forEach((r) => add("polygon", { points: ring(r) }))); break;
      case "LineString": add("polyline", { points: ring(geometry.coordinates) }); break;
      case "MultiLineString": geometry.coordinates.forEach((l) => add("polyline", { points: ring(l) })); break;
      case "Point": add("circle", { cx: geometry.coordinates[0], cy: geometry.coordinates[1], r: 2 }); break;
      case "MultiPoint": geometry.coordinates.forEach((p) => add("circle", { cx: p[0], cy: p[1], r: 2 })); break;
      case "GeometryCollection": geometry.geometries.forEach((g) => out.push(...geometryElements(g, set))); break;
    }
    return out;
  }

  function describe(feature, set) {
    const p = feature.properties || {};
    const cls = p.classification ? (p.classification.name || JSON.stringify(p.classification)) : (p.category_name || p.category || p.category_id || "–");
    const annotator = p.annotator || p.created_by || "–";
    return "set " + set + " · id " + (feature.id != null ? feature.id : (p.id != null ? p.id : "–")) + " · class " + cls + " · annotator " + annotator;
  }

  // The API path of the two versions compared.
  function versionsPath() {
    return "/api/versions/" + encodeURIComponent(versions.from) + "/" + encodeURIComponent(versions.to);
  }

  // The changed objects as one group per kind of change: added and removed in their colours, a
  // changed object's old shape dashed and its new shape solid, in the third colour.
  async function loadChanges() {
    const path = versionsPath() + "/images/" + encodeURIComponent(imageID) + "/changes";
    const collection = await (await fetch(url(path))).json();
    const groups = {};
    for (const change of Object.keys(CHANGE_COLORS)) {
      const group = document.createElementNS(SVG, "g");
      group.classList.add("set", "change");
      group.dataset.set = "change-" + change;
      groups[change] = group;
      shapes.appendChild(group);
    }
    for (const feature of collection.features || []) {
      const p = feature.properties || {};
      const group = groups[p.change];
      if (!feature.geometry || !group) continue;
      const color = CHANGE_COLORS[p.change];
      for (const el of geometryElements(feature.geometry, p.set)) {
        el.classList.add("shape");
        el.setAttribute("fill", el.tagName === "circle" ? color : "transparent");
        el.setAttribute("stroke", color);
        el.setAttribute("stroke-width", "2");
        el.setAttribute("shape-rendering", "crispEdges");
        el.setAttribute("vector-effect", "non-scaling-stroke");
        if (p.change === "changed" && p.version === versions.from) el.setAttribute("stroke-dasharray", "6 4");
        el.dataset.version = p.version;
        el.dataset.describe = p.change + " (version " + p.version + ") · " + describe(feature, p.set);
        el.addEventListener("mouseenter", () => { info.textContent = el.dataset.describe; });
        el.addEventListener("click", () => { info.textContent = el.dataset.describe; });
        group.appendChild(el);
      }
    }
    return collection;
  }

  async function loadSet(set) {
    const response = await fetch(url("/api/images/" + encodeURIComponent(imageID) + "/annotations", { set: set.id }));
    const collection = await response.json();
    const group = document.createElementNS(SVG, "g");
    group.classList.add("set");
    group.dataset.set = set.id;
    const tracks = new Map();
    for (const feature of collection.features || []) {
      if (!feature.geometry) continue;
      const p = feature.properties || {};
      if (p.track_id != null && p.frame != null) {
        if (!tracks.has(p.track_id)) tracks.set(p.track_id, []);
        tracks.get(p.track_id).push([p.frame, centre(feature.geometry)]);
      }
      for (const el of geometryElements(feature.geometry, set.id)) {
        if (p.frame != null) el.dataset.frame = p.frame;
        el.classList.add("shape");
        el.setAttribute("fill", el.tagName === "circle" ? set.color : "transparent");
        el.setAttribute("stroke", set.color);
        el.setAttribute("stroke-width", "1.5");
        el.setAttribute("vector-effect", "non-scaling-stroke");
        el.dataset.describe = describe(feature, set.id);
        el.addEventListener("mouseenter", () => { info.textContent = el.dataset.describe; });
        el.addEventListener("click", () => { info.textContent = el.dataset.describe; });
        group.appendChild(el);
      }
    }
    // A track's path across every frame, as one polyline through its objects' centres in frame order.
    for (const [track, steps] of tracks) {
      steps.sort((a, b) => a[0] - b[0]);
      const path = document.createElementNS(SVG, "polyline");
      path.classList.add("shape", "track");
      path.setAttribute("points", steps.map(([, c]) => c[0] + "," + c[1]).join(" "));
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", set.color);
      path.setAttribute("stroke-width", "1.5");
      path.setAttribute("shape-rendering", "crispEdges");
      path.setAttribute("vector-effect", "non-scaling-stroke");
      path.dataset.track = track;
      path.dataset.describe = "set " + set.id + " · track " + track + " · frames " + steps[0][0] + "–" + steps[steps.length - 1][0];
      path.addEventListener("mouseenter", () => { info.textContent = path.dataset.describe; });
      path.addEventListener("click", () => { info.textContent = path.dataset.describe; });
      group.insertBefore(path, group.firstChild);
    }
    shapes.appendChild(group);
  }

  // The centre of a geometry's bounding box (a point's own position), in image coordinates.
  function centre(geometry) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const visit = (c) => {
      if (typeof c[0] === "number") { x0 = Math.min(x0, c[0]); x1 = Math.max(x1, c[0]); y0 = Math.min(y0, c[1]); y1 = Math.max(y1, c[1]); }
      else c.forEach(visit);
    };
    if (geometry.type === "GeometryCollection") geometry.geometries.forEach((g) => visit(g.coordinates));
    else visit(geometry.coordinates);
    return [(x0 + x1) / 2, (y0 + y1) / 2];
  }

  // Per-frame objects are shown at their own frame only (track paths at every frame).
  function showFrame() {
    const t = String(viewer.state.t);
    for (const el of shapes.querySelectorAll("[data-frame]")) el.style.display = el.dataset.frame === t ? "" : "none";
  }

  function checkbox(parent, id, text, checked, onChange) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox"; input.id = id; input.checked = checked;
    input.addEventListener("change", () => onChange(input.checked));
    label.append(input, " " + text);
    parent.appendChild(label);
  }

  function slider(parent, id, text, count, value, onChange) {
    if (count <= 1) return;
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "range"; input.id = id; input.min = 0; input.max = count - 1; input.value = value;
    const shown = document.createElement("span");
    shown.textContent = value;
    input.addEventListener("input", () => { shown.textContent = input.value; onChange(Number(input.value)); });
    label.append(text + " ", input, " ", shown);
    parent.appendChild(label);
  }

  function fieldset(title) {
    const box = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = title;
    box.appendChild(legend);
    controls.appendChild(box);
    return box;
  }

  function buildControls(image) {
    const s = viewer.state;
    const channelBox = fieldset("channels");
    image.channels.forEach((c) => checkbox(channelBox, "channel-" + c.index, c.label || ("channel " + c.index), s.channels.includes(c.index), (on) => {
      s.channels = on ? [...s.channels, c.index].sort((a, b) => a - b) : s.channels.filter((i) => i !== c.index);
      draw();
    }));
    const planeBox = fieldset("plane");
    slider(planeBox, "slider-t", "t", image.planes.t, s.t, (v) => { s.t = v; showFrame(); draw(); });
    slider(planeBox, "slider-z", "z", image.planes.z, s.z, (v) => { s.z = v; draw(); });
    if (image.labels.length && !versions) {
      const labelBox = fieldset("label images");
      image.labels.forEach((l) => checkbox(labelBox, "label-toggle-" + l.name, l.name, true, (on) => { s.labels[l.name] = on; draw(); }));
    }
    if (versions) {
      const changeBox = fieldset("changes " + versions.from + " → " + versions.to);
      for (const change of Object.keys(CHANGE_COLORS)) {
        checkbox(changeBox, "set-toggle-change-" + change, change, true, (on) => { s.sets["change-" + change] = on; draw(); });
        changeBox.lastChild.style.color = CHANGE_COLORS[change];
      }
      for (const set of viewer.labelChanges.sets) {
        const line = document.createElement("div");
        line.className = "label-change-summary";
        line.textContent = "label set " + set.set + ": " + set.added.length + " added, " + set.removed.length + " removed, " + set.changed.length + " changed";
        changeBox.appendChild(line);
      }
    } else if (image.sets.length) {
      const setBox = fieldset("annotation sets");
      image.sets.forEach((set) => checkbox(setBox, "set-toggle-" + set.id, set.id + " (" + set.objects + ")", true, (on) => { s.sets[set.id] = on; draw(); }));
    }
    const zoomBox = fieldset("zoom");
    for (const [text, factor] of [["−", 0.5], ["+", 2]]) {
      const button = document.createElement("button");
      button.textContent = text;
      button.id = factor > 1 ? "zoom-in" : "zoom-out";
      button.addEventListener("click", () => zoomAt(viewport.clientWidth / 2, viewport.clientHeight / 2, factor));
      zoomBox.appendChild(button);
    }
  }

  function zoomAt(px, py, factor) {
    const s = viewer.state;
    s.x = px - (px - s.x) * factor; s.y = py - (py - s.y) * factor; s.scale *= factor;
    draw();
  }

  viewer.setView = function (scale, x, y) { Object.assign(viewer.state, { scale: scale, x: x, y: y }); draw(); };
  viewer.setFrame = function (t) { viewer.state.t = t; showFrame(); draw(); };
  viewer.zoomAt = zoomAt;

  viewport.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = viewport.getBoundingClientRect();
    zoomAt(event.clientX - box.left, event.clientY - box.top, event.deltaY < 0 ? 1.25 : 0.8);
  }, { passive: false });
  let drag = null;
  viewport.addEventListener("pointerdown", (event) => { drag = { x: event.clientX, y: event.clientY }; viewport.setPointerCapture(event.pointerId); });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) return;
    viewer.state.x += event.clientX - drag.x; viewer.state.y += event.clientY - drag.y;
    drag = { x: event.clientX, y: event.clientY };
    draw();
  });
  viewport.addEventListener("pointerup", () => { drag = null; });

  // Hover on changed label objects: the server says which are under the pointer (set, value, kind
  // of change, version), one request at a time, the latest position asked next.
  const labelHover = { busy: false, next: null, last: null };
  async function lookUpLabelObjects() {
    if (labelHover.busy || !labelHover.next) return;
    const s = viewer.state, [x, y] = labelHover.next;
    labelHover.next = null;
    const key = [x, y, s.t, s.z].join(",");
    if (key === labelHover.last) return;
    labelHover.busy = true;
    try {
      const path = versionsPath() + "/images/" + encodeURIComponent(imageID) + "/label-changes/at";
      const response = await fetch(url(path, { x: x, y: y, t: s.t, z: s.z }));
      if (!response.ok) throw new Error("label objects at (" + x + ", " + y + "): " + response.status + " " + (await response.text()));
      const answer = await response.json();
      labelHover.last = key;
      const shown = answer.objects.filter((o) => s.sets["change-" + o.change]);
      if (shown.length) {
        info.textContent = shown.map((o) => o.change + " (version " + o.version + ") · label set " + o.set + " · value " + o.value).join(" | ");
      }
    } finally {
      labelHover.busy = false;
      lookUpLabelObjects();
    }
  }
  viewport.addEventListener("mousemove", (event) => {
    if (!versions || !viewer.ready || drag || !viewer.labelChanges.sets.length) return;
    const s = viewer.state, box = viewport.getBoundingClientRect(), full = levelFactors(viewer.image)[0];
    const x = Math.floor((event.clientX - box.left - s.x) / s.scale), y = Math.floor((event.clientY - box.top - s.y) / s.scale);
    if (x < 0 || y < 0 || x >= full.width || y >= full.height) return;
    labelHover.next = [x, y];
    lookUpLabelObjects().catch((error) => { status.textContent = String(error); console.error(error); });
  });

  async function start() {
    const images = await (await fetch(url("/api/images"))).json();
    const image = images.find((i) => i.id === imageID);
    viewer.image = image;
    const levels = levelFactors(image);
    const full = levels[0];
    const fit = Math.min(viewport.clientWidth / full.width, viewport.clientHeight / full.height);
    viewer.state = {
      scale: fit, x: (viewport.clientWidth - full.width * fit) / 2, y: (viewport.clientHeight - full.height * fit) / 2,
      channels: image.channels.filter((c) => c.active).map((c) => c.index),
      t: image.default_plane.t, z: image.default_plane.z,
      labels: Object.fromEntries(image.labels.map((l) => [l.name, !versions])),
      sets: versions ? Object.fromEntries(Object.keys(CHANGE_COLORS).map((c) => ["change-" + c, true]))
        : Object.fromEntries(image.sets.map((set) => [set.id, true])),
      level: 0, fixedLevel: null,
    };
    if (versions) {
      const path = versionsPath() + "/images/" + encodeURIComponent(imageID) + "/label-changes";
      const response = await fetch(url(path));
      if (!response.ok) throw new Error("label changes: " + response.status + " " + (await response.text()));
      viewer.labelChanges = await response.json();
    }
    buildControls(image);
    if (versions) viewer.changes = await loadChanges();
    else await Promise.all(image.sets.map(loadSet));
    showFrame();
    draw();
    viewer.ready = true;
  }
  start().catch((error) => { status.textContent = "cannot load the image: " + error; console.error(error); });
})();
