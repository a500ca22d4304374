/* loc map runtime: builds Leaflet layers from the embedded, polyline-encoded payload.
 * Every string that comes from input files is put into the page with textContent, never
 * as HTML. */
(function () {
  "use strict";

  function decodeChunk(str) {
    // Google polyline algorithm, precision 5; returns [[lat, lon], ...]
    var pts = [], i = 0, lat = 0, lon = 0;
    while (i < str.length) {
      var vals = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do {
          b = str.charCodeAt(i++) - 63;
          result |= (b & 0x1f) << shift;
          shift += 5;
        } while (b >= 0x20);
        vals[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
      }
      lat += vals[0];
      lon += vals[1];
      pts.push([lat / 1e5, lon / 1e5]);
    }
    return pts;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function propsTable(title, pairs) {
    var box = el("div", "loc-popup");
    if (title) { box.appendChild(el("div", "loc-popup-title", title)); }
    var table = el("table");
    pairs.forEach(function (kv) {
      var tr = el("tr");
      tr.appendChild(el("th", null, kv[0]));
      tr.appendChild(el("td", null, kv[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

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

  function buildLayer(rt, spec, map) {
    var group = L.featureGroup();
    spec.features.forEach(function (f) {
      var layer;
      if (spec.kind === "point") {
        var opts = Object.assign({}, spec.style, {radius: f.r || spec.style.radius || 4});
        if (f.c) { opts.fillColor = f.c; }
        layer = L.circleMarker(f.g, opts);
      } else if (spec.kind === "line") {
        layer = L.polyline(f.g.map(rt.ring), spec.style);
      } else {
        layer = L.polygon(f.g.map(function (poly) { return poly.map(rt.ring); }), spec.style);
      }
      var title = f.t || spec.title;
      layer.bindTooltip(el("span", null, f.t || spec.title), {sticky: spec.kind !== "point"});
      layer.bindPopup(propsTable(title, f.p || []));
      group.addLayer(layer);
    });
    if (spec.minZoom) {
      var update = function () {
        var show = map.getZoom() >= spec.minZoom;
        group.eachLayer(function (l) {
          if (l.setStyle) {
            l.setStyle({opacity: show ? 1 : 0, fillOpacity: show ? spec.style.fillOpacity : 0});
          }
          if (l.getTooltip && l.getTooltip()) {
            var tt = l.getTooltip();
            if (tt._container) { tt._container.style.display = show ? "" : "none"; }
          }
        });
      };
      map.on("zoomend", update);
      group.on("add", update);
    }
    return group;
  }

  function legend(payload, map) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var box = el("div", "loc-legend leaflet-bar");
      box.appendChild(el("div", "loc-legend-title", "Legend"));
      payload.legend.forEach(function (item) {
        var row = el("div", "loc-legend-row");
        var sw = el("span", "loc-swatch loc-swatch-" + item.swatch);
        if (item.swatch === "line") {
          sw.style.borderTop = item.weight + "px " + (item.dash ? "dashed " : "solid ") + item.color;
        } else {
          sw.style.background = item.fill || item.color;
          sw.style.borderColor = item.color;
        }
        row.appendChild(sw);
        row.appendChild(el("span", null, item.label));
        box.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    ctl.addTo(map);
  }

  function titleBlock(payload, map) {
    var ctl = L.control({position: "topleft"});
    var dateEl = el("div", "loc-date");
    ctl.onAdd = function () {
      var box = el("div", "loc-title leaflet-bar");
      box.appendChild(el("div", "loc-title-main", payload.title));
      box.appendChild(dateEl);
      if (payload.subtitle) { box.appendChild(el("div", "loc-subtitle", payload.subtitle)); }
      if (payload.warning) { box.appendChild(el("div", "loc-warning", payload.warning)); }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    ctl.addTo(map);
    return dateEl;
  }

  function attribution(payload, map) {
    var ctl = L.control({position: "bottomleft"});
    ctl.onAdd = function () {
      var box = el("div", "loc-attribution");
      payload.attribution.forEach(function (line) { box.appendChild(el("div", null, line)); });
      return box;
    };
    ctl.addTo(map);
  }

  function setupMap(map, payload, rt, dates, which) {
    // containers: one per layer id, in the layer control; dated children swap in and out
    var containers = {}, dated = {}, control = L.control.layers(null, null, {collapsed: false});
    payload.layers.forEach(function (spec) {
      if (!(spec.id in containers)) {
        containers[spec.id] = L.layerGroup();
        control.addOverlay(containers[spec.id], spec.title);
        if (spec.visible) { containers[spec.id].addTo(map); }
        dated[spec.id] = {};
      }
      var layer = buildLayer(rt, spec, map);
      if (spec.date) {
        dated[spec.id][spec.date] = layer;
      } else {
        containers[spec.id].addLayer(layer);
      }
    });
    control.addTo(map);
    var dateEl = titleBlock(payload, map);
    var state = {map: map, containers: containers, control: control, date: null};
    state.setDate = function (date) {
      Object.keys(dated).forEach(function (id) {
        Object.keys(dated[id]).forEach(function (d) {
          var layer = dated[id][d];
          if (d === date) { containers[id].addLayer(layer); }
          else if (containers[id].hasLayer(layer)) { containers[id].removeLayer(layer); }
        });
      });
      state.date = date;
      dateEl.textContent = (which ? which + ": " : "") + (date || payload.undated);
    };
    state.setDate(dates.length ? dates[0] : null);
    return state;
  }

  function slider(payload, state) {
    var ctl = L.control({position: "topright"});
    ctl.onAdd = function () {
      var box = el("div", "loc-slider leaflet-bar");
      var label = el("div", "loc-slider-label", payload.dates[payload.dates.length - 1]);
      var input = el("input");
      input.type = "range";
      input.min = 0;
      input.max = payload.dates.length - 1;
      input.step = 1;
      input.value = payload.dates.length - 1;
      input.setAttribute("aria-label", "date");
      input.addEventListener("input", function () {
        var d = payload.dates[Number(input.value)];
        state.setDate(d);
        label.textContent = d;
      });
      box.appendChild(label);
      box.appendChild(input);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    ctl.addTo(state.map);
    state.setDate(payload.dates[payload.dates.length - 1]);
  }

  function panes(map, payload) {
    Object.keys(payload.panes).forEach(function (name) {
      map.createPane(name).style.zIndex = payload.panes[name];
    });
  }

  window.locRender = function (map, payload) {
    var rt = new Runtime(payload);
    panes(map, payload);
    map.fitBounds(payload.bounds);
    var dates = payload.dates;
    var result = {payload: payload};
    if (payload.compare) {
      var other = document.getElementById(payload.compare.div);
      var right = L.map(other, {zoomControl: false, attributionControl: false});
      panes(right, payload);
      right.fitBounds(payload.bounds);
      L.control.scale().addTo(right);
      result.left = setupMap(map, payload, rt, [payload.compare.a], "A");
      result.right = setupMap(right, payload, rt, [payload.compare.b], "B");
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
      legend(payload, right);
    } else {
      result.left = setupMap(map, payload, rt, dates, null);
      if (dates.length > 1) { slider(payload, result.left); }
    }
    legend(payload, map);
    attribution(payload, map);
    window.locMap = result;
    return result;
  };
})();
