// loc's labels along lines (the freeze line's "line of control (not an international
// border)"): included in loc_map.js's scope, where its "@labels" line stands, in pages with a
// labelled line only (loc.outputs.render.assets.loc_js).

  // Stretches of a line (layer pixels) along which a label w px long reads: the line taken
  // every 4 px and smoothed over 8 h px (h points either side); a stretch is kept where the
  // smooth curve stays within tol px of the line and turns gently (20° over 12 px, 35° over
  // 32 px, 90° in all), drawn left to right, the next one a quarter label width further on
  // (run.at: where it starts along the line). Pure: the same line and width give the same
  // stretches.
  function labelStretches(ring, w, h, tol) {
    var q = [], t = 0, k, i, j, n, a, b, d;
    for (k = 1; k < ring.length; k++) {
      a = ring[k - 1]; b = ring[k]; d = a.distanceTo(b);
      for (; t < d; t += 4) { q.push(a.add(b.subtract(a).multiplyBy(t / d))); }
      t -= d;
    }
    n = q.length;
    var sx = [0], sy = [0], sm = [], arc = [0], ang = [], out = [];
    for (k = 0; k < n; k++) { sx.push(sx[k] + q[k].x); sy.push(sy[k] + q[k].y); }
    var turn = function (x) { return Math.atan2(Math.sin(x), Math.cos(x)) * 180 / Math.PI; };
    for (k = 0; k < n; k++) {
      a = Math.max(0, k - h); b = Math.min(n, k + h + 1);
      sm.push(L.point((sx[b] - sx[a]) / (b - a), (sy[b] - sy[a]) / (b - a)));
      if (k) {
        arc.push(arc[k - 1] + sm[k].distanceTo(sm[k - 1]));
        ang.push(Math.atan2(sm[k].y - sm[k - 1].y, sm[k].x - sm[k - 1].x));
      }
    }
    for (i = 0, k = 0; i < n; i++) {
      while (k < n && arc[k] - arc[i] < w) { k++; }
      if (k >= n) { break; }
      for (j = i, d = 0; j <= k; j++) {
        if (q[j].distanceTo(sm[j]) > tol || j + 3 < k && Math.abs(turn(ang[j + 3] - ang[j])) > 20 ||
            j + 8 < k && Math.abs(turn(ang[j + 8] - ang[j])) > 35) { break; }
        if (j > i && j < k) { d += turn(ang[j] - ang[j - 1]); }
      }
      if (j <= k || Math.abs(d) > 90) { continue; }
      var run = sm.slice(i, k + 1);
      run = run[k - i].x < run[0].x ? run.reverse() : run;
      run.at = arc[i];
      out.push(run);
      for (d = arc[i] + w / 4; i < n - 1 && arc[i + 1] < d;) { i++; }
    }
    return out;
  }

  // The boxes (layer pixels, which a pan does not move) a label along a stretch takes:
  // squares of 12 px every 8 px of its middle w - 16 px, 9 px beside the path on its left
  // (8 px on its right when below: the letters' middle).
  function labelBoxes(run, w, below) {
    var n = run.length, s = Math.floor(n * 8 / w), out = [], k, a, c, p;
    for (k = s + 1; k < n - s - 1; k += 2) {
      a = run[k - 1]; c = run[k + 1];
      p = run[k].add(L.point(c.y - a.y, a.x - c.x).multiplyBy((below ? -8 : 9) / (a.distanceTo(c) || 1)));
      out.push([p.x - 6, p.y - 6, p.x + 6, p.y + 6]);
    }
    return out;
  }

  // The label written along the line itself (SVG textPath) on the stretches in view where
  // it reads: the freeze line says what it is on itself. It keeps off the cities' dots;
  // the place layer then keeps every name off it (map.locLineBoxes, layer pixels, and the
  // event "loc:lines"). Redrawn
  // with the line (its renderer's update); a zoom where no stretch fits shows none.
  var labelSeq = 0, LABEL_FITS = [[8, 8], [16, 14], [24, 14]];
  function lineLabel(layer, text, colour) {
    var seq = ++labelSeq, width = 0, runs = [], key = null, onMap = null;
    var group = svgEl("g", {"pointer-events": "none"});
    var draw = function () {
      var path = layer._path, rings = layer._rings || [], map = layer._map;
      if (!path || !path.parentNode || !map) { return; }
      path.parentNode.appendChild(group);
      if (!width) {
        var probe = svgEl("text", {"class": "loc-line-label"}, group);
        probe.textContent = text;
        width = Math.max(probe.getComputedTextLength(), text.length * 5) + 16;
      }
      group.textContent = "";
      // the stretches change with the zoom (and the pixel origin) only, not with a pan
      var now = rings.length && rings[0].length ? map.getZoom() + ":" + rings[0][0] : "";
      if (now !== key) {
        key = now;
        runs = [];
        // smoothed over 64 px within 8 px of the line; where no stretch reads so (a winding
        // line seen from far out), over 128 then 192 px within 10 px
        for (var c = 0; c < LABEL_FITS.length && !runs.length; c++) {
          rings.forEach(function (ring) {
            runs.push.apply(runs, labelStretches(ring, width, LABEL_FITS[c][0], LABEL_FITS[c][1]));
          });
        }
      }
      // on the stretches in view, in order, each at least three label widths past the one
      // before, above the line or else below it, on no city's dot nor another label
      var pl = map.locPlaces, o = map.containerPointToLayerPoint([0, 0]), mine = [], last = -1e9;
      var taken = (pl && pl.visible ? pl.cityDots() : []).map(function (b) {
        return [b[0] + o.x, b[1] + o.y, b[2] + o.x, b[3] + o.y];
      });
      delete map.locLineBoxes[seq];
      Object.keys(map.locLineBoxes).forEach(function (o) { taken = taken.concat(map.locLineBoxes[o]); });
      var free = function (b) { return !b.some(function (x) { return meets(taken, x); }); };
      runs.forEach(function (run) {
        if (run.at < last + 3 * width || !layer._renderer._bounds.intersects(L.bounds(run))) { return; }
        var up = labelBoxes(run, width, false), down = up;
        run.below = !free(up);
        if (run.below && !free(down = labelBoxes(run, width, true))) { return; }
        mine = mine.concat(run.below ? down : up);
        last = run.at;
        var id = "loc-line-" + seq + "-" + mine.length;
        svgEl("path", {id: id, fill: "none", d: "M" + run.filter(function (p, j) { return j % 2 === 0; })
          .map(function (p) { return p.x.toFixed(1) + " " + p.y.toFixed(1); }).join("L")}, group);
        var t = svgEl("text", {"class": "loc-line-label", fill: colour, dy: run.below ? 12 : -5}, group);
        svgEl("textPath", {href: "#" + id, startOffset: "50%", "text-anchor": "middle"}, t).textContent = text;
      });
      map.locLineBoxes[seq] = mine;
      map.fire("loc:lines");
    };
    layer.on("add", function () {
      layer._renderer.on("update", draw);
      onMap = layer._map;
      if (!onMap.locLineBoxes) {  // each label's boxes, by label; a zoom makes them anew
        onMap.locLineBoxes = {};
        onMap.on("zoomstart", function () { onMap.locLineBoxes = {}; });
      }
      draw();
    });
    layer.on("remove", function () {
      layer._renderer.off("update", draw);
      if (onMap && onMap.locLineBoxes) {
        delete onMap.locLineBoxes[seq];
        onMap.fire("loc:lines");
      }
      onMap = null;
      if (group.parentNode) { group.parentNode.removeChild(group); }
    });
  }
