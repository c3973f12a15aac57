#!/usr/bin/env python3
"""Reads a `vramfit plot` SVG back and checks every plotted number against the
JSON of the same request (the main command with the SVG's contexts).

Usage: plot_check.py VRAMFIT WORK_DIR ARGS...   (ARGS: the plot's arguments)
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"s": "http://www.w3.org/2000/svg"}


def main():
    vramfit, work, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    svg = subprocess.run([vramfit, "plot", *args], cwd=work, capture_output=True, check=True).stdout
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    # Self-contained: no scripts, no external references.
    text = svg.decode("utf-8")
    for banned in ("<script", "href=", "@import", "url("):
        assert banned not in text, banned
    quants = root.findall("s:g[@class='quant']", NS)
    assert quants, "no quantization drawn"
    contexts = sorted({int(c.get("data-context")) for c in root.iter("{http://www.w3.org/2000/svg}circle")
                       if c.get("class") == "point"})
    doc = json.loads(subprocess.run(
        [vramfit, *args, "--context", ",".join(map(str, contexts)), "--no-ladder", "--format", "json"],
        cwd=work, capture_output=True, check=True).stdout)
    results = {(r["quant"], r["context_tokens"]): r for r in doc["results"]}
    usable = {r["device"]["usable_bytes"] for r in doc["results"]}
    line = root.find("s:g[@class='usable']", NS)
    assert line is not None and int(line.get("data-bytes")) in usable, "usable line"
    checked = 0
    for g in quants:
        q = g.get("data-quant")
        points = g.findall("s:circle[@class='point']", NS)
        assert len(points) == len(contexts), (q, len(points))
        total_line = g.find("s:polyline[@class='total']", NS)
        assert len(total_line.get("points").split()) == len(contexts), q
        assert g.find("s:polyline[@class='weights']", NS) is not None, q
        for p in points:
            r = results[(q, int(p.get("data-context")))]
            m = r["memory"]
            assert int(p.get("data-total-bytes")) == m["total_bytes"], (q, p.get("data-context"))
            assert int(p.get("data-weights-bytes")) == m["weights_bytes"], q
            assert int(p.get("data-kv-state-bytes")) == m["kv_cache_bytes"] + m["recurrent_state_bytes"], q
            assert (p.get("data-fits") == "true") == r["fits"], q
            checked += 1
        marker = g.find("s:circle[@class='max-context']", NS)
        longest = results[(q, contexts[-1])]["max_context_tokens"]
        if marker is not None:
            assert int(marker.get("data-context")) == longest, (q, marker.get("data-context"), longest)
        else:
            assert longest in (None, 0) or longest >= contexts[-1] or longest < contexts[0], (q, longest)
    print(f"plot: {len(quants)} quantizations, {checked} points match the JSON")


if __name__ == "__main__":
    main()
