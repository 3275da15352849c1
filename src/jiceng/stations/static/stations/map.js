/* The map (/map/): Leaflet over a configured tile source, or over a plain base drawn from the places' own
   coordinates when none is configured, so nothing is requested from outside this server. Each layer's GeoJSON
   comes from /map/layers/<code>/ already in the tile source's coordinate system. Popups are built with
   textContent (never innerHTML), so names cannot inject markup. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var el = document.getElementById("map");
  var tiles = config.tiles;
  var labels = config.labels;
  var map = L.map(el, { preferCanvas: true, attributionControl: Boolean(tiles.url), center: [31.23, 121.47], zoom: 12 });
  if (tiles.url) {
    el.classList.add("has-tiles");
    map.attributionControl.setPrefix(false);
    L.tileLayer(tiles.url, { maxZoom: tiles.max_zoom, attribution: tiles.attribution || "" }).addTo(map);
  }
  var LEVEL_COLOURS = { center: "#d63939", station: "#206bc4", point: "#4299e1" };

  function popup(title, lines, url) {
    var box = document.createElement("div");
    var head = document.createElement("div");
    head.className = "jiceng-map-popup-title";
    head.textContent = title;
    box.appendChild(head);
    lines.forEach(function (line) {
      if (!line) { return; }
      var row = document.createElement("div");
      row.textContent = line;
      box.appendChild(row);
    });
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.textContent = labels.open;
      box.appendChild(link);
    }
    return box;
  }

  function latlng(feature) {
    var c = feature.geometry.coordinates;
    return [c[1], c[0]];
  }

  var render = {
    base: function (features, group) {
      L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: { color: "#adb5bd", weight: 1, fillColor: "#ffffff", fillOpacity: 0.7 },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(f.properties.name, { permanent: false, direction: "center", className: "jiceng-map-label" });
        }
      }).addTo(group);
    },
    buildings: function (features, group) {
      features.forEach(function (f) {
        var p = f.properties;
        L.circleMarker(latlng(f), { radius: 6, color: "#343a40", weight: 1, fillColor: p.colour, fillOpacity: 0.9 })
          .bindPopup(popup(p.name, [p.kind, p.level ? labels.level + ": " + p.level_label : labels.nolevel], p.url))
          .addTo(group);
      });
    },
    stations: function (features, group) {
      features.forEach(function (f) {
        var p = f.properties;
        var colour = LEVEL_COLOURS[p.level] || "#206bc4";
        L.circle(latlng(f), { radius: p.radius, color: colour, weight: 1, dashArray: "4 4", fillOpacity: 0.06, interactive: false })
          .addTo(group);
        L.circleMarker(latlng(f), { radius: 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 })
          .bindPopup(popup(p.name, [p.level_label, p.address, labels.radius + ": " + p.radius + " m"], p.url))
          .addTo(group);
      });
    },
    gaps: function (features, group) {
      features.forEach(function (f) {
        var p = f.properties;
        L.circleMarker(latlng(f), { radius: 10, color: "#d63939", weight: 2, fill: false })
          .bindPopup(popup(p.name, [p.street, labels.distance + ": " + p.distance + " m", p.nearest_station]))
          .addTo(group);
      });
    },
    grids: function (features, group) {
      L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: function (f) {
          var warned = f.properties.warnings && f.properties.warnings.length;
          return { color: warned ? "#f59f00" : "#4263eb", weight: 2, fillOpacity: 0.08 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(popup(p.name, [p.street, p.members_label, p.branch || ""].concat(p.warnings || []), p.url));
        }
      }).addTo(group);
    },
    points: function (colour) {
      return function (features, group) {
        features.forEach(function (f) {
          var p = f.properties;
          L.circleMarker(latlng(f), { radius: 5, color: colour, weight: 1, fillColor: colour, fillOpacity: 0.8 })
            .bindPopup(popup(p.name, [p.category || p.place || "", p.start || ""], p.url))
            .addTo(group);
        });
      };
    }
  };
  var RENDERERS = {
    base: render.base, buildings: render.buildings, stations: render.stations, gaps: render.gaps, grids: render.grids,
    needs: render.points("#f76707"), resources: render.points("#2fb344"), activities: render.points("#ae3ec9")
  };

  var bounds = L.latLngBounds([]);
  var fitted = false;
  var pending = 0;
  var overlays = {};
  var groups = {};

  function load(layer) {
    var group = groups[layer.code];
    if (group.loaded) { return; }
    group.loaded = true;
    pending += 1;
    var url = layer.url + (tiles.crs !== "wgs84" ? "?crs=" + encodeURIComponent(tiles.crs) : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        (RENDERERS[layer.code] || render.points("#495057"))(data.features, group);
        data.features.forEach(function (f) {
          if (f.geometry.type === "Point") { bounds.extend(latlng(f)); }
        });
        el.setAttribute("data-layer-" + layer.code, String(data.features.length));
      })
      .catch(function () { el.setAttribute("data-layer-" + layer.code, "error"); })
      .then(function () {
        pending -= 1;
        if (pending === 0) {
          if (!fitted && bounds.isValid()) { map.fitBounds(bounds.pad(0.05)); fitted = true; }
          el.setAttribute("data-loaded", "true");
        }
      });
  }

  config.layers.forEach(function (layer) {
    var group = L.layerGroup();
    groups[layer.code] = group;
    overlays[layer.label] = group;
    group.on("add", function () { load(layer); });
    if (layer.on) { group.addTo(map); }
  });
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 768 }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // 选址测算: a click proposes a station there; the service-gap report says how many gaps it would close.
  var toggle = document.getElementById("what-if-toggle");
  var result = document.getElementById("what-if-result");
  var candidate = null;
  toggle.addEventListener("change", function () {
    result.textContent = toggle.checked ? labels.whatif_hint : "";
    if (!toggle.checked && candidate) { map.removeLayer(candidate); candidate = null; }
  });
  map.on("click", function (event) {
    if (!toggle.checked) { return; }
    var lat = event.latlng.lat.toFixed(6), lng = event.latlng.lng.toFixed(6);
    if (candidate) { map.removeLayer(candidate); }
    candidate = L.circle(event.latlng, { radius: config.radius, color: "#ae3ec9", weight: 2, fillOpacity: 0.1 }).addTo(map);
    var query = "?radius=" + config.radius + "&lat=" + lat + "&lng=" + lng + "&crs=" + encodeURIComponent(tiles.crs);
    fetch(config.gaps_api + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.what_if) {
          result.textContent = labels.whatif + ": " + data.what_if.brought_within + " (" + lat + ", " + lng + ")";
          result.setAttribute("data-brought-within", String(data.what_if.brought_within));
        } else {
          result.textContent = Object.keys(data).map(function (k) { return k + ": " + data[k]; }).join("; ");
        }
      });
  });
}());
