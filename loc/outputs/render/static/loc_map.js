// loc map runtime: builds Leaflet layers from the embedded, polyline-encoded payload, and the
// tools an analyst expects: place names by zoom, popups saying who holds a place, search,
// a geodesic measure tool, a lat/lon + MGRS readout, a slider with play, a swipe compare.
// Every string from the payload reaches the page through el() (textContent), never as HTML:
// layer titles, zone kinds, names and popup values from input files stay text.
(function () {
  "use strict";

  var LIST_FOLD = 8;
  var LAND = "#f7f5ef";

  function decodePairs(str, scale) {
    // Google polyline algorithm: pairs, each the running sum of its deltas, divided by scale
    var out = [], i = 0, a = 0, b = 0;
    while (i < str.length) {
      var vals = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, c;
        do {
          c = str.charCodeAt(i++) - 63;
          result |= (c & 0x1f) << shift;
          shift += 5;
        } while (c >= 0x20);
        vals[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
      }
      a += vals[0];
      b += vals[1];
      out.push([a / scale, b / scale]);
    }
    return out;
  }

  function decodeChunk(str) {
    // polyline precision 5; returns [[lat, lon], ...]
    return decodePairs(str, 1e5);
  }

  // The one way text enters the page: as a text node.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (tag === "button") { e.type = "button"; }
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // An SVG element with these attributes, put into parent.
  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  // Phones (the same query as loc_map.css): controls folded, the slider at the bottom.
  function narrowScreen() {
    return !!(window.matchMedia && window.matchMedia("(max-width: 600px), (max-height: 450px)").matches);
  }

  function fmtInt(n) { return Math.round(n).toLocaleString("en-US"); }

  function valueCell(value, fold) {
    var td = el("td"), k = fold || LIST_FOLD;
    if (!Array.isArray(value)) { td.textContent = String(value); return td; }
    // names that hold commas (a belt's weapons) are set apart by semicolons
    var sep = /,/.test(value.join("")) ? "; " : ", ";
    td.appendChild(el("span", null, value.slice(0, k).join(sep)));
    if (value.length > k) {
      var more = el("details", "loc-fold");
      more.appendChild(el("summary", null, "and " + (value.length - k) + " more"));
      more.appendChild(el("span", null, value.slice(k).join(sep)));
      td.appendChild(more);
    }
    return td;
  }

  function propsTable(title, pairs) {
    var box = el("div", "loc-popup");
    if (title) { box.appendChild(el("div", "loc-popup-title", title)); }
    var table = el("table");
    pairs.forEach(function (kv) {
      var tr = el("tr");
      tr.appendChild(el("th", null, kv[0]));
      tr.appendChild(valueCell(kv[1], kv[2]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  // ---- geodesy on the WGS 84 ellipsoid (not Leaflet's spherical distance) --------------
  var WGS84 = {a: 6378137.0, f: 1 / 298.257223563};
  WGS84.b = WGS84.a * (1 - WGS84.f);
  WGS84.e2 = WGS84.f * (2 - WGS84.f);

  // Vincenty's inverse formula: geodesic distance (m) between two lat/lon points.
  function geodesicDistance(p, q) {
    var a = WGS84.a, b = WGS84.b, f = WGS84.f, rad = Math.PI / 180;
    var L = (q[1] - p[1]) * rad;
    var U1 = Math.atan((1 - f) * Math.tan(p[0] * rad));
    var U2 = Math.atan((1 - f) * Math.tan(q[0] * rad));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = L, iter = 0, sinS, cosS, sigma, cos2a, cos2sm, sinL, cosL, prev;
    do {
      sinL = Math.sin(lambda); cosL = Math.cos(lambda);
      sinS = Math.sqrt(Math.pow(cosU2 * sinL, 2) +
                       Math.pow(cosU1 * sinU2 - sinU1 * cosU2 * cosL, 2));
      if (sinS === 0) { return 0; }
      cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinS, cosS);
      var sinA = cosU1 * cosU2 * sinL / sinS;
      cos2a = 1 - sinA * sinA;
      cos2sm = cos2a !== 0 ? cosS - 2 * sinU1 * sinU2 / cos2a : 0;
      var C = f / 16 * cos2a * (4 + f * (4 - 3 * cos2a));
      prev = lambda;
      lambda = L + (1 - C) * f * sinA *
        (sigma + C * sinS * (cos2sm + C * cosS * (-1 + 2 * cos2sm * cos2sm)));
    } while (Math.abs(lambda - prev) > 1e-12 && ++iter < 200);
    var u2 = cos2a * (a * a - b * b) / (b * b);
    var A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = B * sinS * (cos2sm + B / 4 * (cosS * (-1 + 2 * cos2sm * cos2sm) -
      B / 6 * cos2sm * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2sm * cos2sm)));
    return b * A * (sigma - dS);
  }

  // Area (m²) of a lat/lon ring on the ellipsoid: the ring on the authalic sphere (equal
  // area), spherical excess of its edges.
  function geodesicArea(ring) {
    var e = Math.sqrt(WGS84.e2), rad = Math.PI / 180, a = WGS84.a;
    var qf = function (s) { return (1 - WGS84.e2) * (s / (1 - WGS84.e2 * s * s) -
      Math.log((1 - e * s) / (1 + e * s)) / (2 * e)); };
    var qp = qf(1), R = a * Math.sqrt(qp / 2);
    var n = ring.length, total = 0;
    if (n < 3) { return 0; }
    for (var i = 0; i < n; i++) {
      var p = ring[i], q = ring[(i + 1) % n];
      var b1 = Math.asin(Math.max(-1, Math.min(1, qf(Math.sin(p[0] * rad)) / qp)));
      var b2 = Math.asin(Math.max(-1, Math.min(1, qf(Math.sin(q[0] * rad)) / qp)));
      var dl = (q[1] - p[1]) * rad;
      total += 2 * Math.atan2(Math.tan(dl / 2) * (Math.tan(b1 / 2) + Math.tan(b2 / 2)),
                              1 + Math.tan(b1 / 2) * Math.tan(b2 / 2));
    }
    return Math.abs(total) * R * R;
  }

  // ---- geometry ---------------------------------------------------------------------------
  function Runtime(payload) {
    var cache = {};
    this.ring = function (ids) {
      var out = [];
      ids.forEach(function (id) {
        var k = id < 0 ? ~id : id;
        if (!(k in cache)) { cache[k] = decodeChunk(payload.chunks[k]); }
        var pts = id < 0 ? cache[k].slice().reverse() : cache[k];
        out.push.apply(out, out.length ? pts.slice(1) : pts);
      });
      return out;
    };
  }

  function inRing(ring, lat, lon) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var yi = ring[i][0], xi = ring[i][1], yj = ring[j][0], xj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  // Even-odd test over the decoded polygons of a layer spec.
  function specContains(rt, spec, lat, lon) {
    if (!spec._rings) {
      spec._rings = [];
      spec.features.forEach(function (f) {
        f.g.forEach(function (poly) {
          poly.forEach(function (r) {
            var ring = rt.ring(r), s = 90, w = 180, n = -90, e = -180;
            ring.forEach(function (p) {
              s = Math.min(s, p[0]); n = Math.max(n, p[0]);
              w = Math.min(w, p[1]); e = Math.max(e, p[1]);
            });
            spec._rings.push({ring: ring, box: [s, w, n, e]});
          });
        });
      });
    }
    var inside = false;
    spec._rings.forEach(function (r) {
      var b = r.box;
      if (lat >= b[0] && lat <= b[2] && lon >= b[1] && lon <= b[3] && inRing(r.ring, lat, lon)) {
        inside = !inside;
      }
    });
    return inside;
  }

  function arrowHead(latlngs) {
    var n = latlngs.length, a = latlngs[n - 2], b = latlngs[n - 1];
    var k = Math.cos(b[0] * Math.PI / 180);
    var dx = (b[1] - a[1]) * k, dy = b[0] - a[0], len = Math.sqrt(dx * dx + dy * dy) || 1e-9;
    var size = Math.min(0.06, Math.max(0.015, len * 0.35));
    var ux = dx / len, uy = dy / len;
    var base = [b[0] - uy * size, b[1] - ux * size / k];
    return [b, [base[0] + ux * size * 0.5, base[1] - uy * size * 0.5 / k],
            [base[0] - ux * size * 0.5, base[1] + uy * size * 0.5 / k]];
  }

  // Whether box b (pixels) meets any of boxes.
  function meets(boxes, b) {
    for (var i = 0; i < boxes.length; i++) {
      var o = boxes[i];
      if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) { return true; }
    }
    return false;
  }

  // @labels: static/loc_label.js, in pages with a labelled line (assets.loc_js)

  function buildLayer(rt, spec, state) {
    var group = L.featureGroup();
    var interactive = spec.interactive !== false;
    spec.features.forEach(function (f) {
      var layer;
      if (spec.kind === "point") {
        var opts = Object.assign({}, spec.style, {radius: f.r || spec.style.radius || 4});
        if (f.c) { opts.fillColor = f.c; }
        layer = L.circleMarker(f.g, opts);
      } else if (spec.kind === "line" || spec.kind === "arrow") {
        var lines = f.g.map(rt.ring);
        var lopts = Object.assign({}, spec.style);
        if (f.c) { lopts.color = f.c; }
        if (spec.kind === "arrow") {
          var parts = lines.map(function (ll) { return L.polyline(ll, lopts); });
          parts.push(L.polygon(arrowHead(lines[0]), Object.assign({}, lopts,
            {fill: true, fillColor: lopts.color, fillOpacity: 1})));
          layer = L.featureGroup(parts);
        } else {
          layer = L.polyline(lines, lopts);
        }
      } else {
        layer = L.polygon(f.g.map(function (poly) { return poly.map(rt.ring); }), spec.style);
      }
      if (interactive) {
        var title = f.t || spec.title;
        layer.bindTooltip(el("span", null, title), {sticky: spec.kind !== "point"});
        layer.bindPopup(propsTable(title, f.p || []));
      }
      if (spec.label && layer instanceof L.Polyline) { lineLabel(layer, spec.label, spec.style.color); }
      if (f.ref && state) { state.refs[f.ref] = layer; }
      group.addLayer(layer);
    });
    return group;
  }

  // ---- place names ----------------------------------------------------------------------
  // The same folding as search_key() in data/build_settlement_names.py (a test compares them):
  // Cyrillic transliterated, accents, apostrophes, spaces and hyphens dropped, spelling
  // variants merged (kh/h, zh/z, ts/c, y/i/j, ye/ie/е, ya/ia/я, yu/iu/ю, w/v, g/h).
  var CYR = {"а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "ы": "y", "э": "e", "ё": "e", "ъ": "",
    "ı": "i", "ł": "l", "ß": "ss", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"};
  var FOLDS = [["shch", "s"], ["kh", "h"], ["zh", "z"], ["ts", "c"], ["ch", "c"], ["sh", "s"],
    ["sc", "s"], ["w", "v"], ["j", "i"], ["y", "i"], ["x", "h"], ["g", "h"], ["q", "k"]];
  var VOWELS = [["ie", "e"], ["ia", "a"], ["iu", "u"]];
  function searchKey(text) {
    var s = Array.from(String(text).toLowerCase()).map(function (c) {
      return c in CYR ? CYR[c] : c;
    }).join("");
    s = s.normalize("NFKD").replace(/[^a-z0-9]/g, "");
    var fold = function (ab) { s = s.split(ab[0]).join(ab[1]); };
    FOLDS.forEach(fold);
    s = s.replace(/(.)\1+/g, "$1");
    VOWELS.forEach(fold);
    return s.replace(/(.)\1+/g, "$1");
  }

  function Places(payload) {
    var p = payload.places;
    var pr = decodePairs(p.popRegion, 1);
    this.names = p.names.split("|");
    this.coords = decodeChunk(p.coords);
    this.pop = pr.map(function (v) { return v[0]; });
    this.zoom = this.pop.map(function (n) {
      for (var t = 0; t < p.tiers.length; t++) { if (n >= p.tiers[t][0]) { return p.tiers[t][1]; } }
      return p.tiers[p.tiers.length - 1][1];
    });
    this.region = pr.map(function (v) { return v[1]; });
    this.regions = p.regions;
    this.alt = p.alt || {};
    this._keys = null;
  }
  Places.prototype.keys = function () {
    if (!this._keys) {
      var self = this;
      this._keys = this.names.map(function (n, i) {
        var all = [n].concat(self.alt[i] ? self.alt[i].split("|") : []);
        return all.map(searchKey);
      });
    }
    return this._keys;
  };
  Places.prototype.search = function (query, limit) {
    var q = searchKey(query), out = [];
    if (!q) { return out; }
    var keys = this.keys();
    // while typing "Zaporozhy", before the "e" that folds "ye" to "e"
    var q2 = q.length > 2 && /i$/.test(q) ? q.slice(0, -1) : q;
    for (var i = 0; i < keys.length && out.length < (limit || 8); i++) {
      if (keys[i].some(function (k) { return k.indexOf(q) === 0 || k.indexOf(q2) === 0; })) { out.push(i); }
    }
    if (out.length < (limit || 8) && q.length >= 3) {
      for (var j = 0; j < keys.length && out.length < (limit || 8); j++) {
        if (out.indexOf(j) < 0 && keys[j].some(function (k) { return k.indexOf(q) > 0; })) {
          out.push(j);
        }
      }
    }
    return out;
  };

  // Labels placed greedily by population, each tried right, left, above and below its dot;
  // a place whose label fits nowhere shows no label (a city keeps its dot: the cities' dots
  // are placed first, so that no label lies under one). Only placed places exist in the
  // page, so hidden ones take no mouse events.
  // The width (px) of a place's name as its label draws it (the fonts of loc_map.css), by
  // a canvas: an estimate from the number of letters let wide names cover a dot.
  var widths = {}, measure = null;
  function textWidth(name, city) {
    var key = (city ? "c" : "t") + name;
    if (!(key in widths)) {
      measure = measure || document.createElement("canvas").getContext("2d");
      measure.font = city ? "bold 12px sans-serif" : "11px sans-serif";
      widths[key] = Math.ceil(measure.measureText(name).width);
    }
    return widths[key];
  }

  function placeLayer(map, state, places, fixed) {
    var pane = map.getPane("loc-labels");
    var layer = {visible: true, shown: [], boxes: []};
    var overlaps = function (b) { return meets(layer.boxes, b); };
    var redraw = function () {
      pane.textContent = "";
      layer.boxes = [];
      layer.shown = [];
      if (!layer.visible) { return; }
      var z = map.getZoom(), size = map.getSize(), i;
      // places come largest first: the cities (zoom 0) lead; then the labels along lines
      // (placed off the cities' dots), which every name keeps off
      layer.boxes = layer.cityDots();
      var lines = map.locLineBoxes || {}, o = map.layerPointToContainerPoint([0, 0]);
      Object.keys(lines).forEach(function (k) {
        lines[k].forEach(function (b) { layer.boxes.push([b[0] + o.x, b[1] + o.y, b[2] + o.x, b[3] + o.y]); });
      });
      // country names in capitals, spaced: wider than the names of seas
      fixed.forEach(function (f) {
        var pt = map.latLngToContainerPoint([f[0], f[1]]);
        var w = f[2].length * (f[3] === "sea" ? 7.5 : 11) + 8, box = [pt.x - w / 2, pt.y - 9, pt.x + w / 2, pt.y + 9];
        if (box[2] < 0 || box[0] > size.x || box[3] < 0 || box[1] > size.y || overlaps(box)) {
          return;
        }
        layer.boxes.push(box);
        var div = el("div", "loc-fixed-label loc-fixed-" + f[3], f[2]);
        L.DomUtil.setPosition(div, map.containerPointToLayerPoint([box[0], box[1]]));
        pane.appendChild(div);
      });
      for (i = 0; i < places.names.length; i++) {
        var at = places.zoom[i] > z ? null : dotAt(i), city = places.zoom[i] === 0;
        if (!at || !city && overlaps(at.box)) { continue; }
        var pt = at.pt, r = at.r, dot = at.box;
        var name = places.names[i], w = textWidth(name, city) + 2, h = city ? 14 : 12;
        var tries = [[pt.x + r + 2, pt.y - h / 2], [pt.x - r - 2 - w, pt.y - h / 2],
                     [pt.x - w / 2, pt.y - r - h - 1], [pt.x - w / 2, pt.y + r + 1]];
        var box = null;
        for (var t = 0; t < tries.length && !box; t++) {
          var b = [tries[t][0], tries[t][1], tries[t][0] + w, tries[t][1] + h];
          if (!overlaps(b) && !(b[0] < dot[2] && b[2] > dot[0] && b[1] < dot[3] && b[3] > dot[1])) {
            box = b;
          }
        }
        if (!box && !city) { continue; }
        if (!city) { layer.boxes.push(dot); }
        var div2 = el("div", "loc-place" + (city ? " loc-city" : ""));
        div2.style.width = (r * 2) + "px";
        div2.style.height = (r * 2) + "px";
        L.DomUtil.setPosition(div2, map.containerPointToLayerPoint([dot[0], dot[1]]));
        div2.dataset.index = i;
        pane.appendChild(div2);
        if (box) {
          layer.boxes.push(box);
          var lab = el("div", "loc-place-label" + (city ? " loc-city-label" : ""), name);
          L.DomUtil.setPosition(lab, map.containerPointToLayerPoint([box[0], box[1]]));
          lab.dataset.index = i;
          pane.appendChild(lab);
        }
        layer.shown.push(i);
      }
    };
    var dotAt = function (k) {
      var pt = map.latLngToContainerPoint(places.coords[k]), size = map.getSize();
      if (pt.x < -40 || pt.y < -20 || pt.x > size.x + 40 || pt.y > size.y + 20) { return null; }
      var r = places.zoom[k] === 0 ? 3.5 : (places.zoom[k] <= 8 ? 2.5 : 2);
      return {pt: pt, r: r, box: [pt.x - r, pt.y - r, pt.x + r, pt.y + r]};
    };
    layer.cityDots = function () {
      var out = [];
      for (var i = 0; i < places.names.length && places.zoom[i] === 0; i++) {
        var d = dotAt(i);
        if (d) { out.push(d.box); }
      }
      return out;
    };
    pane.addEventListener("click", function (ev) {
      var i = ev.target && ev.target.dataset ? ev.target.dataset.index : undefined;
      if (i === undefined) { return; }
      L.DomEvent.stopPropagation(ev);
      state.placePopup(Number(i));
    });
    map.on("zoomend moveend resize loc:lines", redraw);
    layer.redraw = redraw;
    return layer;
  }

  // ---- controls ---------------------------------------------------------------------------
  function collapsible(title, cls, startOpen) {
    var box = el("div", "loc-panel leaflet-bar " + cls);
    var head = el("button", "loc-panel-head", title);
    head.setAttribute("aria-expanded", startOpen ? "true" : "false");
    var body = el("div", "loc-panel-body");
    if (!startOpen) { body.style.display = "none"; }
    head.addEventListener("click", function () {
      var open = body.style.display === "none";
      body.style.display = open ? "" : "none";
      head.setAttribute("aria-expanded", open ? "true" : "false");
    });
    box.appendChild(head);
    box.appendChild(body);
    return {box: box, body: body};
  }

  function swatch(item) {
    var sw = el("span", "loc-swatch loc-swatch-" + item.swatch);
    if (item.swatch === "line" || item.swatch === "arrow") {
      var svg = svgEl("svg", {width: 24, height: 12}, sw);
      var ln = svgEl("line", {x1: 1, y1: 6, x2: item.swatch === "arrow" ? 17 : 23, y2: 6,
                              stroke: item.color, "stroke-width": Math.min(item.weight || 3, 4)}, svg);
      if (item.dash) { ln.setAttribute("stroke-dasharray", item.dash === true ? "5 3" : item.dash); }
      if (item.swatch === "arrow") { svgEl("polygon", {points: "16,1 23,6 16,11", fill: item.color}, svg); }
      return sw;
    }
    // a fill swatch is drawn as the fill is: its colour at its opacity over the land
    var op = item.opacity === undefined ? 1 : item.opacity;
    sw.style.background = LAND;
    sw.style.boxShadow = "inset 0 0 0 20px " + hexAlpha(item.fill || item.color, op);
    sw.style.borderColor = item.color;
    sw.style.borderStyle = item.dash ? "dashed" : "solid";
    sw.style.borderWidth = Math.max(1, Math.min(item.weight || 1, 3)) + "px";
    return sw;
  }

  function hexAlpha(hex, a) {
    var h = String(hex || "#000000").replace("#", "");
    var n = parseInt(h.length === 3 ? h.replace(/(.)/g, "$1$1") : h, 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  function legendBox(payload) {
    var c = collapsible("Legend", "loc-legend", !narrowScreen());
    payload.legend.forEach(function (item) {
      var row = el("div", "loc-legend-row");
      row.appendChild(swatch(item));
      row.appendChild(el("span", null, item.label));
      c.body.appendChild(row);
    });
    if (payload.places) {
      var row = el("div", "loc-legend-row");
      row.appendChild(el("span", "loc-swatch loc-swatch-place"));
      row.appendChild(el("span", null, "Place: cities always, towns from zoom 8, smaller from 10"));
      c.body.appendChild(row);
    }
    return c.box;
  }

  // One layer control for every map of the page; names are text (the hostile-title test).
  function layersBox(payload, states) {
    var c = collapsible("Layers", "loc-layers", false);
    var seen = {};
    payload.layers.forEach(function (spec) {
      if (seen[spec.id] || spec.control === false) { return; }
      seen[spec.id] = true;
      var label = el("label", "loc-layer-row");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !!spec.visible;
      box.addEventListener("change", function () {
        states.forEach(function (s) { s.show(spec.id, box.checked); });
      });
      label.appendChild(box);
      label.appendChild(el("span", null, spec.title));
      c.body.appendChild(label);
    });
    if (payload.places) {
      var label = el("label", "loc-layer-row"), box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", function () {
        states.forEach(function (s) { s.places.visible = box.checked; s.places.redraw(); });
      });
      label.appendChild(box);
      label.appendChild(el("span", null, "Place names (GeoNames)"));
      c.body.appendChild(label);
    }
    return c.box;
  }

  function mount(map, position, node) {
    var ctl = L.control({position: position});
    ctl.onAdd = function () {
      L.DomEvent.disableClickPropagation(node);
      L.DomEvent.disableScrollPropagation(node);
      return node;
    };
    ctl.addTo(map);
    return ctl;
  }

  function titleBox(payload) {
    var box = el("div", "loc-title leaflet-bar");
    box.appendChild(el("div", "loc-title-main", payload.title));
    var dateEl = el("div", "loc-date");
    box.appendChild(dateEl);
    if (payload.subtitle) { box.appendChild(el("div", "loc-subtitle", payload.subtitle)); }
    if (payload.warning) { box.appendChild(el("div", "loc-warning", payload.warning)); }
    return {box: box, dateEl: dateEl};
  }

  // The not-a-border note first and always shown; on phones the sources fold under a button.
  function attributionBox(payload) {
    var box = el("div", "loc-attribution"), note = /not (an )?international border/i;
    var toggle = el("button", "loc-sources-toggle", "Sources");
    var rest = el("div", "loc-sources");
    toggle.addEventListener("click", function () { box.classList.toggle("loc-open"); });
    payload.attribution.forEach(function (line) {
      if (note.test(line)) { box.appendChild(el("div", "loc-note", line)); } else { rest.appendChild(el("div", null, line)); }
    });
    box.appendChild(toggle);
    box.appendChild(rest);
    return box;
  }

  // ---- one map: its layers, dates, places -------------------------------------------------
  function setupMap(map, payload, rt, dates, which) {
    var containers = {}, dated = {}, zoomed = [], built = {}, order = [];
    var state = {map: map, containers: containers, date: null, refs: {}, shown: {}};
    payload.layers.forEach(function (spec) {
      if (!(spec.id in containers)) {
        containers[spec.id] = L.layerGroup();
        if (spec.visible) { containers[spec.id].addTo(map); }
        dated[spec.id] = {};
      }
      if (spec.date) {
        dated[spec.id][spec.date] = spec;
      } else {
        var layer = buildLayer(rt, spec, state);
        if (spec.minZoom || spec.maxZoom) {
          zoomed.push({spec: spec, layer: layer, container: containers[spec.id]});
        } else {
          containers[spec.id].addLayer(layer);
        }
      }
    });
    var zoomUpdate = function () {
      var z = map.getZoom();
      zoomed.forEach(function (zl) {
        var show = (!zl.spec.minZoom || z >= zl.spec.minZoom) &&
                   (!zl.spec.maxZoom || z <= zl.spec.maxZoom);
        if (show && !zl.container.hasLayer(zl.layer)) { zl.container.addLayer(zl.layer); }
        if (!show && zl.container.hasLayer(zl.layer)) { zl.container.removeLayer(zl.layer); }
      });
    };
    map.on("zoomend", zoomUpdate);
    zoomUpdate();
    // dated layers are built when first shown and a few kept: a 536-date map stays light
    var get = function (spec) {
      var key = spec.id + "@" + spec.date;
      if (!built[key]) {
        built[key] = buildLayer(rt, spec, state);
        order.push(key);
        while (order.length > 24) {
          var old = order.shift();
          Object.keys(containers).forEach(function (id) {
            if (containers[id].hasLayer(built[old])) { containers[id].removeLayer(built[old]); }
          });
          delete built[old];
        }
      }
      return built[key];
    };
    state.show = function (id, on) {
      if (on) { containers[id].addTo(map); } else { map.removeLayer(containers[id]); }
    };
    state.specAt = function (id, date) {
      return dated[id] ? dated[id][date] : undefined;
    };
    state.layerAt = function (id, date) {
      var spec = state.specAt(id, date);
      return spec ? get(spec) : null;
    };
    state.setDate = function (date) {
      Object.keys(dated).forEach(function (id) {
        var prev = state.shown[id];
        var spec = dated[id][date];
        var next = spec ? get(spec) : null;
        if (prev && prev !== next && containers[id].hasLayer(prev)) { containers[id].removeLayer(prev); }
        if (next && !containers[id].hasLayer(next)) { containers[id].addLayer(next); }
        state.shown[id] = next;
      });
      state.date = date;
      // an open place popup says who holds the place on the date now shown
      if (state.popup && map.hasLayer(state.popup)) { state.popup.setContent(state.placeContent(state.popupAt)); }
      if (state.dateEl) { state.dateEl.textContent = (which ? which + ": " : "") + (date || payload.undated); }
      if (state.onDate) { state.onDate(date); }
    };
    state.sideAt = function (lat, lon) {
      var sides = [["side-ru", "Russian-controlled"], ["side-contested", "Contested (grey zone)"]];
      for (var i = 0; i < sides.length; i++) {
        var spec = state.specAt(sides[i][0], state.date);
        if (!spec) {
          spec = payload.layers.filter(function (s) { return s.id === sides[i][0] && !s.date; })[0];
        }
        if (spec && specContains(rt, spec, lat, lon)) { return sides[i][1]; }
      }
      return "Ukrainian-controlled";
    };
    if (payload.places) {
      state.placesData = rt.places;
      state.placeContent = function (i) {
        var P = rt.places, c = P.coords[i];
        var rows = [["population", fmtInt(P.pop[i])],
                    ["region", P.region[i] >= 0 ? P.regions[P.region[i]] : "outside the regions"],
                    ["held on " + (state.date || "the date shown"), state.sideAt(c[0], c[1])]];
        if (P.alt[i]) { rows.push(["other names", P.alt[i].split("|"), 3]); }
        rows.push(["source", "GeoNames (CC BY 4.0); side from the control areas shown"]);
        return propsTable(P.names[i], rows);
      };
      state.placePopup = function (i) {
        state.popupAt = i;
        state.popup = L.popup({autoPan: true}).setLatLng(rt.places.coords[i])
          .setContent(state.placeContent(i)).openOn(map);
      };
      state.places = map.locPlaces = placeLayer(map, state, rt.places, payload.labels || []);
    }
    return state;
  }

  // ---- tools ------------------------------------------------------------------------------
  // Lengths and areas with the digits a measurement on a screen can carry.
  function fmtNumber(v, decimals) {
    return v.toLocaleString("en-US", {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
  }
  function fmtDistance(m) {
    if (m < 10) { return fmtNumber(m, 1) + " m"; }
    if (m < 1000) { return fmtNumber(m, 0) + " m"; }
    return fmtNumber(m / 1000, m < 10000 ? 2 : 1) + " km";
  }
  function fmtArea(m2) {
    if (m2 < 1e4) { return fmtNumber(m2, m2 < 100 ? 1 : 0) + " m²"; }
    var km2 = m2 / 1e6;
    if (km2 < 10) { return km2.toPrecision(3) + " km²"; }
    return fmtNumber(km2, km2 < 100000 ? 1 : 0) + " km²";
  }

  // One measure tool for every map of the page (both halves of a compare): a click on any
  // of them adds a point, drawn on all. A double click adds one point, not two.
  function measureTool(maps) {
    var tool = {points: [], mode: null, marks: maps.map(function (m) { return L.layerGroup().addTo(m); })};
    var lines = [];
    var c = collapsible("Measure", "loc-measure", false);
    var idle = "Distance or area on the WGS 84 ellipsoid";
    var out = el("div", "loc-measure-result", idle);
    var buttons = el("div", "loc-measure-buttons");
    [["distance", "Distance"], ["area", "Area"], ["clear", "Clear"]].forEach(function (b) {
      var btn = el("button", "loc-measure-" + b[0], b[1]);
      btn.addEventListener("click", function () {
        tool.clear();
        tool.mode = b[0] === "clear" ? null : b[0];
        maps.forEach(function (m) {
          m.getContainer().classList.toggle("loc-measuring", !!tool.mode);
          if (tool.mode) { m.doubleClickZoom.disable(); } else { m.doubleClickZoom.enable(); }
        });
        tool.update();
      });
      buttons.appendChild(btn);
    });
    c.body.appendChild(buttons);
    c.body.appendChild(out);
    tool.box = c.box;
    tool.clear = function () {
      tool.points = [];
      tool.last = null;
      tool.marks.forEach(function (g) { g.clearLayers(); });
      lines = [];
      tool.update();
    };
    tool.distance = function () {
      var d = 0;
      for (var i = 1; i < tool.points.length; i++) { d += geodesicDistance(tool.points[i - 1], tool.points[i]); }
      return d;
    };
    tool.areaM2 = function () { return geodesicArea(tool.points); };
    tool.update = function () {
      if (!tool.mode) { out.textContent = idle; return; }
      if (!tool.points.length) {
        out.textContent = "Click points on the map (" + tool.mode + ")";
        return;
      }
      var text = "distance " + fmtDistance(tool.distance());
      if (tool.mode === "area" && tool.points.length >= 3) {
        var closed = tool.distance() + geodesicDistance(tool.points[tool.points.length - 1], tool.points[0]);
        text = "area " + fmtArea(tool.areaM2()) + " · perimeter " + fmtDistance(closed);
      }
      out.textContent = text;
    };
    tool.addPoint = function (latlng) {
      var p = [latlng[0], latlng[1]];
      tool.points.push(p);
      tool.marks.forEach(function (g, k) {
        L.circleMarker(p, {radius: 3, color: "#000", weight: 1, fillColor: "#fff", fillOpacity: 1,
                           pane: "loc-tools", interactive: false}).addTo(g);
        if (lines[k]) { g.removeLayer(lines[k]); }
        lines[k] = (tool.mode === "area" && tool.points.length >= 3 ?
          L.polygon(tool.points, {color: "#000", weight: 2, dashArray: "4 3", fillOpacity: 0.1,
                                  pane: "loc-tools", interactive: false}) :
          L.polyline(tool.points, {color: "#000", weight: 2, dashArray: "4 3", pane: "loc-tools",
                                   interactive: false})).addTo(g);
      });
      tool.update();
    };
    maps.forEach(function (m) {
      m.on("click", function (ev) {
        if (!tool.mode) { return; }
        // the second click of a double click lands where the first did
        var pt = ev.containerPoint, last = tool.last;
        if (last && last.map === m && last.pt.distanceTo(pt) < 5 && ev.originalEvent &&
            ev.originalEvent.timeStamp - last.t < 600) { return; }
        tool.last = {map: m, pt: pt, t: ev.originalEvent ? ev.originalEvent.timeStamp : 0};
        tool.addPoint([ev.latlng.lat, ev.latlng.lng]);
      });
    });
    return tool;
  }

  // The lat/lon + MGRS readout of whichever map the cursor is on (or was tapped).
  function coordReadout(maps) {
    var box = el("div", "loc-coords leaflet-bar", "lat/lon · MGRS under the cursor");
    var fmt = function (v, pos, neg) { return Math.abs(v).toFixed(4) + "° " + (v >= 0 ? pos : neg); };
    var show = function (ev) {
      var lat = ev.latlng.lat, lon = ev.latlng.lng, grid = "";
      try {
        var m = window.mgrs.forward([lon, lat], 5);
        grid = m.slice(0, -10) + " " + m.slice(-10, -5) + " " + m.slice(-5);
        grid = grid.replace(/^(\d+[A-Z])([A-Z]{2})/, "$1 $2");
      } catch (e) { grid = "outside the MGRS range"; }
      box.textContent = fmt(lat, "N", "S") + "  " + fmt(lon, "E", "W") + "  ·  MGRS " + grid;
    };
    maps.forEach(function (m) { m.on("mousemove click", show); });
    return box;
  }

  function searchBox(map, states, places) {
    var box = el("div", "loc-search leaflet-bar");
    var input = el("input");
    input.type = "search";
    input.placeholder = "Find a place (any spelling)";
    input.setAttribute("aria-label", "find a place");
    var list = el("div", "loc-search-results");
    box.appendChild(input);
    box.appendChild(list);
    var go = function (i) {
      var c = places.coords[i];
      states.forEach(function (s) { s.map.setView(c, Math.max(s.map.getZoom(), 11), {animate: false}); });
      list.textContent = "";
      states[states.length - 1].placePopup(i);
    };
    var results = [];
    input.addEventListener("input", function () {
      list.textContent = "";
      results = places.search(input.value, 8);
      results.forEach(function (i) {
        var item = el("div", "loc-search-item");
        item.appendChild(el("span", null, places.names[i]));
        item.appendChild(el("span", "loc-search-meta", " " + (places.region[i] >= 0 ?
          places.regions[places.region[i]] : "") + ", " + fmtInt(places.pop[i])));
        item.addEventListener("click", function () { go(i); });
        list.appendChild(item);
      });
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && results.length) { go(results[0]); }
    });
    return box;
  }

  function monthTicks(dates) {
    var ticks = el("div", "loc-ticks"), n = dates.length, months = [];
    dates.forEach(function (d, i) {
      var m = d.slice(0, 7);
      if (!months.length || months[months.length - 1][0] !== m) { months.push([m, i]); }
    });
    var step = months.length > 24 ? 3 : (months.length > 12 ? 2 : 1), year = null;
    months.forEach(function (m, k) {
      var left = n > 1 ? 100 * m[1] / (n - 1) : 0;
      var t = el("span", "loc-tick");
      t.style.left = left + "%";
      ticks.appendChild(t);
      if (k % step === 0) {
        // the first label and the first of each year carry the year: 2024-07 · 2025 · 09
        var y = m[0].slice(0, 4), text = y === year ? m[0].slice(5) : (m[0].slice(5) === "01" ? y : m[0]);
        year = y;
        var lab = el("span", "loc-tick-label", text);
        lab.style.left = left + "%";
        ticks.appendChild(lab);
      }
    });
    return ticks;
  }

  function slider(payload, state) {
    var dates = payload.dates, n = dates.length;
    var box = el("div", "loc-slider leaflet-bar");
    var row = el("div", "loc-slider-row");
    var play = el("button", "loc-play", "▶ Play");
    var prev = el("button", "loc-prev", "◀");
    var next = el("button", "loc-next", "▶");
    prev.setAttribute("aria-label", "previous date");
    next.setAttribute("aria-label", "next date");
    var field = el("input", "loc-date-field");
    field.type = "date";
    field.min = dates[0];
    field.max = dates[n - 1];
    field.setAttribute("aria-label", "date");
    var label = el("span", "loc-slider-label", dates[n - 1]);
    row.appendChild(play); row.appendChild(prev); row.appendChild(next);
    row.appendChild(field); row.appendChild(label);
    var input = el("input");
    input.type = "range";
    input.min = 0; input.max = n - 1; input.step = 1; input.value = n - 1;
    input.setAttribute("aria-label", "date slider");
    var ghostRow = el("label", "loc-ghost");
    var ghostBox = el("input");
    ghostBox.type = "checkbox";
    var ghostDate = el("input", "loc-ghost-date");
    ghostDate.type = "date";
    ghostDate.min = dates[0]; ghostDate.max = dates[n - 1]; ghostDate.value = dates[0];
    ghostRow.appendChild(ghostBox);
    ghostRow.appendChild(el("span", null, " ghost of the line on "));
    ghostRow.appendChild(ghostDate);
    box.appendChild(row);
    box.appendChild(input);
    box.appendChild(monthTicks(dates));
    box.appendChild(ghostRow);
    var ghost = L.layerGroup().addTo(state.map), ghostShown = null;
    var onOrBefore = function (d) {
      var best = 0;
      for (var i = 0; i < n; i++) { if (dates[i] <= d) { best = i; } }
      return best;
    };
    // a date field shows the date drawn, the latest on or before the one typed, once it
    // loses focus: never under the keys typing it (each key that completes a date applies it)
    var shows = function (f, d) { if (document.activeElement !== f) { f.value = d; } };
    var drawGhost = function () {
      ghost.clearLayers();
      ghostShown = null;
      var d = dates[onOrBefore(ghostDate.value || dates[0])];
      shows(ghostDate, d);
      if (!ghostBox.checked) { return; }
      var spec = state.specAt("line", d);
      if (!spec) { return; }
      ghost.addLayer(buildLayer(state.rt, Object.assign({}, spec, {
        style: {color: "#444444", weight: 2, opacity: 0.7, dashArray: "3 4", pane: "loc-line",
                interactive: false}, interactive: false, label: null}), null));
      ghostShown = spec.date;
    };
    ghostBox.addEventListener("change", drawGhost);
    ghostDate.addEventListener("change", drawGhost);
    ghostDate.addEventListener("blur", drawGhost);
    var set = function (i) {
      i = Math.max(0, Math.min(n - 1, i));
      input.value = i;
      var d = dates[i];
      state.setDate(d);
      label.textContent = d;
      shows(field, d);
    };
    input.addEventListener("input", function () { set(Number(input.value)); });
    field.addEventListener("change", function () { if (field.value) { set(onOrBefore(field.value)); } });
    field.addEventListener("blur", function () { field.value = dates[Number(input.value)]; });
    prev.addEventListener("click", function () { set(Number(input.value) - 1); });
    next.addEventListener("click", function () { set(Number(input.value) + 1); });
    var timer = null;
    var stop = function () { clearInterval(timer); timer = null; play.textContent = "▶ Play"; };
    play.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (Number(input.value) >= n - 1) { set(0); }
      play.textContent = "❚❚ Pause";
      timer = setInterval(function () {
        if (Number(input.value) >= n - 1) { stop(); return; }
        set(Number(input.value) + 1);
      }, n > 100 ? 120 : 600);
    });
    document.addEventListener("keydown", function (ev) {
      var t = ev.target && ev.target.tagName;
      if (t === "INPUT" && ev.target.type !== "checkbox" || t === "TEXTAREA") { return; }
      if (ev.key === "ArrowLeft") { set(Number(input.value) - 1); ev.preventDefault(); }
      if (ev.key === "ArrowRight") { set(Number(input.value) + 1); ev.preventDefault(); }
    });
    mount(state.map, narrowScreen() ? "bottomleft" : "topright", box);
    set(n - 1);
    return {set: set, play: play, ghost: function () { return ghostShown; }};
  }

  function panes(map, payload) {
    Object.keys(payload.panes).forEach(function (name) {
      var p = map.createPane(name);
      p.style.zIndex = payload.panes[name];
      if (name === "loc-context" || name === "loc-water") { p.style.pointerEvents = "none"; }
    });
  }

  // ---- compare: side by side or swipe -----------------------------------------------------
  function compareModes(left, right, leftEl, rightEl) {
    var mode = "side", split = 0.5;
    var divider = el("div", "loc-divider");
    divider.setAttribute("role", "separator");
    divider.appendChild(el("div", "loc-divider-handle", "⇔"));
    leftEl.parentNode.appendChild(divider);
    var apply = function () {
      var width = leftEl.parentNode.clientWidth || window.innerWidth;
      if (mode === "side") {
        leftEl.style.width = "50%";
        rightEl.style.left = "50%";
        rightEl.style.width = "50%";
        rightEl.style.clipPath = "";
        divider.style.display = "none";
      } else {
        leftEl.style.width = "100%";
        rightEl.style.left = "0";
        rightEl.style.width = "100%";
        rightEl.style.clipPath = "inset(0 0 0 " + Math.round(split * width) + "px)";
        divider.style.display = "";
        divider.style.left = Math.round(split * width) + "px";
      }
      var c = left.map.getCenter(), z = left.map.getZoom();
      left.map.invalidateSize({pan: false});
      right.map.invalidateSize({pan: false});
      left.map.setView(c, z, {animate: false});
      right.map.setView(c, z, {animate: false});
    };
    var dragging = false;
    divider.addEventListener("pointerdown", function (ev) {
      dragging = true;
      divider.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    divider.addEventListener("pointermove", function (ev) {
      if (!dragging) { return; }
      var rect = leftEl.parentNode.getBoundingClientRect();
      split = Math.max(0.02, Math.min(0.98, (ev.clientX - rect.left) / rect.width));
      divider.style.left = Math.round(split * rect.width) + "px";
      rightEl.style.clipPath = "inset(0 0 0 " + Math.round(split * rect.width) + "px)";
    });
    divider.addEventListener("pointerup", function () { dragging = false; });
    var box = el("div", "loc-modes leaflet-bar");
    [["side", "Side by side"], ["swipe", "Swipe"]].forEach(function (m) {
      var btn = el("button", "loc-mode-" + m[0], m[1]);
      btn.addEventListener("click", function () { mode = m[0]; apply(); });
      box.appendChild(btn);
    });
    window.addEventListener("resize", function () { if (mode === "swipe") { apply(); } });
    // two halves of a phone screen are too narrow to read: swipe there
    if (narrowScreen()) { mode = "swipe"; }
    apply();
    return {box: box, divider: divider, mode: function () { return mode; },
            split: function () { return split; }, set: function (m) { mode = m; apply(); }};
  }

  // ---- findings panel (reports) -----------------------------------------------------------
  function findingsPanel(payload, state, mapEl) {
    var spec = payload.panel, panel = el("div", "loc-findings");
    panel.appendChild(el("h1", null, spec.title));
    spec.summary.forEach(function (line) { panel.appendChild(el("p", null, line)); });
    spec.tables.forEach(function (t) {
      panel.appendChild(el("h2", null, t.title));
      if (!t.rows.length) { panel.appendChild(el("p", null, t.empty)); return; }
      var table = el("table", "loc-findings-table");
      table.dataset.name = t.name;
      var thead = el("thead"), hr = el("tr"), tbody = el("tbody");
      t.columns.forEach(function (col, k) {
        var th = el("th", col[1] ? "loc-num" : null, col[0]);
        th.title = "sort";
        th.addEventListener("click", function () {
          var dir = th.dataset.dir === "asc" ? "desc" : "asc";
          Array.from(hr.children).forEach(function (h) { delete h.dataset.dir; });
          th.dataset.dir = dir;
          var rows = Array.from(tbody.children);
          rows.sort(function (a, b) {
            var x = a._values[k], y = b._values[k];
            var r = col[1] ? x - y : String(x).localeCompare(String(y));
            return dir === "asc" ? r : -r;
          });
          rows.forEach(function (r) { tbody.appendChild(r); });
        });
        hr.appendChild(th);
      });
      thead.appendChild(hr);
      table.appendChild(thead);
      t.rows.forEach(function (r) {
        var tr = el("tr");
        tr._values = r.values;
        tr.dataset.ref = r.ref;
        r.text.forEach(function (text, k) { tr.appendChild(el("td", t.columns[k][1] ? "loc-num" : null, text)); });
        tr.addEventListener("click", function () {
          var layer = state.refs[r.ref];
          if (!layer) { return; }
          if (layer.getBounds) {
            state.map.fitBounds(layer.getBounds(), {maxZoom: 12, animate: false, padding: [40, 40]});
          } else {
            state.map.setView(layer.getLatLng(), Math.max(state.map.getZoom(), 11), {animate: false});
          }
          layer.openPopup();
          Array.from(panel.querySelectorAll("tr.loc-selected")).forEach(function (x) {
            x.classList.remove("loc-selected");
          });
          tr.classList.add("loc-selected");
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      panel.appendChild(table);
    });
    document.body.appendChild(panel);
    document.body.classList.add("loc-with-panel");
    mapEl.classList.add("loc-map-beside-panel");
    state.map.invalidateSize({pan: false});
    state.map.fitBounds(payload.bounds, {animate: false});
    return panel;
  }

  window.locRender = function (map, payload) {
    var rt = new Runtime(payload);
    if (!document.title && payload.title) { document.title = payload.title; }
    if (payload.places) { rt.places = new Places(payload); }
    panes(map, payload);
    // on a phone a whole zoom step halves the map: quarter steps let the data fill the width
    if (narrowScreen()) { map.options.zoomSnap = 0.25; }
    map.fitBounds(payload.bounds, {animate: false});  // an animation would end after the
    // compare maps are synced, and take them back to this zoom
    var result = {payload: payload, geodesicDistance: geodesicDistance, geodesicArea: geodesicArea,
                  searchKey: searchKey};
    var states;
    var title = titleBox(payload);
    if (payload.compare) {
      var other = document.getElementById(payload.compare.div);
      var right = L.map(other, {zoomControl: false, attributionControl: false,
                                zoomSnap: map.options.zoomSnap});
      panes(right, payload);
      right.fitBounds(payload.bounds, {animate: false});
      L.control.scale().addTo(right);
      result.left = setupMap(map, payload, rt, [payload.compare.a], "A");
      result.right = setupMap(right, payload, rt, [payload.compare.b], "B");
      result.left.rt = result.right.rt = rt;
      result.left.dateEl = title.dateEl;
      mount(map, "topleft", title.box);
      var rightTitle = el("div", "loc-title leaflet-bar");
      result.right.dateEl = el("div", "loc-date");
      rightTitle.appendChild(result.right.dateEl);
      mount(right, "topright", rightTitle);
      result.left.setDate(payload.compare.a);
      result.right.setDate(payload.compare.b);
      var syncing = false;
      var sync = function (src, dst) {
        src.on("move", function () {
          if (syncing) { return; }
          syncing = true;
          dst.setView(src.getCenter(), src.getZoom(), {animate: false});
          syncing = false;
        });
      };
      sync(map, right);
      sync(right, map);
      states = [result.left, result.right];
      result.modes = compareModes(result.left, result.right, map.getContainer(), other);
      if (result.modes.mode() === "swipe") { map.fitBounds(payload.bounds, {animate: false}); }
      var shared = el("div", "loc-shared");
      shared.appendChild(result.modes.box);
      shared.appendChild(layersBox(payload, states));
      shared.appendChild(legendBox(payload));
      L.DomEvent.disableClickPropagation(shared);
      L.DomEvent.disableScrollPropagation(shared);
      document.body.appendChild(shared);
    } else {
      result.left = setupMap(map, payload, rt, payload.dates, null);
      result.left.rt = rt;
      result.left.dateEl = title.dateEl;
      mount(map, "topleft", title.box);
      states = [result.left];
      result.left.setDate(payload.dates.length ? payload.dates[payload.dates.length - 1] : null);
      if (payload.dates.length > 1) { result.slider = slider(payload, result.left); }
      mount(map, "topright", layersBox(payload, states));
      mount(map, narrowScreen() ? "topright" : "bottomright", legendBox(payload));
    }
    if (rt.places) { mount(map, "topleft", searchBox(map, states, rt.places)); }
    var maps = states.map(function (s) { return s.map; });
    result.measure = measureTool(maps);
    mount(map, "topleft", result.measure.box);
    mount(map, "bottomleft", attributionBox(payload));
    mount(map, "bottomleft", coordReadout(maps));
    if (payload.panel) { result.panel = findingsPanel(payload, result.left, map.getContainer()); }
    states.forEach(function (s) { if (s.places) { s.places.redraw(); } });
    // printing lays the page out again (reports: the map above the whole tables)
    var relayout = function () {
      states.forEach(function (s) {
        var c = s.map.getCenter(), z = s.map.getZoom();
        s.map.invalidateSize({pan: false});
        s.map.setView(c, z, {animate: false});
      });
    };
    if (window.matchMedia) {
      var mq = window.matchMedia("print");
      if (mq.addEventListener) { mq.addEventListener("change", relayout); }
    }
    window.addEventListener("beforeprint", relayout);
    window.addEventListener("afterprint", relayout);
    window.locMap = result;
    return result;
  };
})();
