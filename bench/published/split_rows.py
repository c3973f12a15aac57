#!/usr/bin/env python3
"""Split the collected llama-bench rows into one JSON file per source
repository or issue/PR thread, without changing any record.

    python3 bench/published/split_rows.py [ROWS_JSON]   

Each output file is a JSON list of the original records, in their original
order, every field kept exactly (same keys, same key order, same values).
The script checks afterwards that reading all files back gives the same
multiset of records as the input. Stdlib only.
"""
import json
import os
import re
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))


def file_key(source):
    """File name (without .json) for a row's source URL.

    github.com/<owner>/<repo>/blob/<commit>/<path>  -> <owner>__<repo>
    github.com/<owner>/<repo>/issues/<n>            -> <owner>__<repo>__issue-<n>
    github.com/<owner>/<repo>/pull/<n>              -> <owner>__<repo>__pull-<n>
    """
    m = re.match(r"https://github\.com/([^/]+)/([^/]+)/(blob|issues|pull)/([^/]+)", source)
    if not m:
        raise SystemExit("unrecognised source URL: %r" % source)
    owner, repo, kind, rest = m.groups()
    base = "%s__%s" % (owner, repo)
    if kind == "blob":
        return base
    return "%s__%s-%s" % (base, "issue" if kind == "issues" else "pull", rest)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: split_rows.py ROWS_JSON")
    src = sys.argv[1]
    with open(src, encoding="utf-8") as f:
        rows = json.load(f, object_pairs_hook=OrderedDict)
    groups = OrderedDict()
    for r in rows:
        groups.setdefault(file_key(r["source"]), []).append(r)
    for old in os.listdir(HERE):
        if old.endswith(".json"):
            os.remove(os.path.join(HERE, old))
    for key, recs in groups.items():
        with open(os.path.join(HERE, key + ".json"), "w", encoding="utf-8") as f:
            json.dump(recs, f, indent=1, ensure_ascii=False)
            f.write("\n")
    # Verify: the union of the files is exactly the input (as a multiset of records).
    back = []
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".json"):
            with open(os.path.join(HERE, name), encoding="utf-8") as f:
                back.extend(json.load(f, object_pairs_hook=OrderedDict))
    canon = lambda r: json.dumps(r, ensure_ascii=False)  # key order kept
    assert sorted(map(canon, back)) == sorted(map(canon, rows)), "round trip differs"
    print("%d rows -> %d files, round trip identical" % (len(rows), len(groups)))
    for key, recs in groups.items():
        print("%5d  %s.json" % (len(recs), key))


if __name__ == "__main__":
    main()
