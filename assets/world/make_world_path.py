#!/usr/bin/env python3
"""Convert world-atlas's countries-110m.json (TopoJSON, Natural Earth 1:110m) into one SVG path.

Usage (Python 3 standard library only; run once, the output is committed):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 assets/world/make_world_path.py package/countries-110m.json > assets/world/countries-110m.path

The path is in an equirectangular projection with x = longitude + 180 and y = 90 - latitude (degrees,
one decimal), the coordinates `src/report/html/` uses for its points. Antarctica is left out: no
sign-in comes from there and it would take a fifth of the map.
"""

import json
import sys

ANTARCTICA = "010"


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_points(ring, arcs):
    pts = []
    for i in ring:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        # Consecutive arcs share their joining point.
        pts.extend(arc if not pts else arc[1:])
    return pts


def unwrap(pts):
    """Rings crossing the antimeridian (Fiji, Chukotka) continued past 180 instead of jumping back."""
    out = []
    shift = 0
    for lon, lat in pts:
        if out:
            prev = out[-1][0]
            while lon + shift - prev > 180:
                shift -= 360
            while lon + shift - prev < -180:
                shift += 360
        out.append((lon + shift, lat))
    return out


def ring_paths(pts):
    """The ring, and its copy a world away when it leaves [-180, 180] (the map clips both)."""
    pts = unwrap(pts)
    lo = min(p[0] for p in pts)
    hi = max(p[0] for p in pts)
    paths = [ring_path(pts)]
    if hi > 180:
        paths.append(ring_path([(x - 360, y) for x, y in pts]))
    if lo < -180:
        paths.append(ring_path([(x + 360, y) for x, y in pts]))
    return paths


def ring_path(pts):
    out = []
    last = None
    for lon, lat in pts:
        p = (round(lon + 180, 1), round(90 - lat, 1))
        if p == last:
            continue
        out.append(p)
        last = p
    if len(out) < 3:
        return ""
    head = "M%g %g" % out[0]
    return head + "L" + " ".join("%g %g" % p for p in out[1:]) + "Z"


def main():
    topo = json.load(open(sys.argv[1], encoding="utf-8"))
    arcs = decode_arcs(topo)
    parts = []
    for geom in topo["objects"]["countries"]["geometries"]:
        if geom.get("id") == ANTARCTICA:
            continue
        polys = []
        if geom["type"] == "Polygon":
            polys = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["arcs"]
        for poly in polys:
            for ring in poly:
                parts.extend(d for d in ring_paths(ring_points(ring, arcs)) if d)
    sys.stdout.write("".join(parts) + "\n")


main()
