#!/usr/bin/env python3
"""Validate JSON documents against a JSON Schema (draft 2020-12).

Usage: validate.py [--expect-invalid] SCHEMA FILE...

Each FILE holds one JSON document (vramfit --format json output). Every error
is printed as "FILE: $.json.path: message". Format checking is off.

Exit status: 0 every file is valid; 1 some file is not (or cannot be read or
parsed); 2 usage error, unusable schema, or the jsonschema module is missing.
With --expect-invalid the sense is reversed: every FILE must be rejected
(exit 1 if one is accepted); the errors found are still printed.

Needs python3-jsonschema (Debian 12: 4.10.3), which has Draft202012Validator.
"""

import json
import sys

USAGE = "usage: validate.py [--expect-invalid] SCHEMA FILE..."

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError as e:  # missing module, or too old for draft 2020-12
    sys.stderr.write(
        "validate.py: error: cannot import jsonschema with Draft202012Validator (%s); "
        "install it: apt-get install python3-jsonschema (Debian/Ubuntu) or pip install 'jsonschema>=4'\n" % e)
    sys.exit(2)


def json_path(path):
    """$.results[0].memory.total_bytes, from a deque of keys and indices."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += "[%d]" % part
        elif part.replace("_", "").isalnum() and not part[:1].isdigit():
            out += "." + part
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def branch_errors(error):
    """The errors of a failed oneOf/anyOf, grouped by branch index."""
    branches = {}
    for sub in error.context:
        index = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(index, []).append(sub)
    return branches


def message(error):
    """The error's message, with a long value it quotes shortened."""
    text = error.message
    value = repr(error.instance)
    if len(value) > 80 and value in text:
        kind = {dict: "object", list: "array", str: "string"}.get(type(error.instance), "value")
        text = text.replace(value, "the " + kind)
    return text


def flatten(error):
    """Turns an error into (path, message) lines.

    A failed oneOf/anyOf whose branches are told apart by a const (the
    document's "command") is reported through the one branch whose const
    matched, so a bad field in a fit document reads as that field's error,
    not as "not valid under any of the given schemas".
    """
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches = branch_errors(error)
        depth = len(error.absolute_path)
        # A branch is ruled out by a const mismatch of a direct member (another
        # "command"), or by a type mismatch of the value itself (the null
        # branch of a nullable object).
        def ruled_out(e):
            return ((e.validator == "const" and len(e.absolute_path) == depth + 1) or
                    (e.validator == "type" and len(e.absolute_path) == depth))
        candidates = [errs for errs in branches.values() if not any(ruled_out(e) for e in errs)]
        if len(candidates) == 1:
            lines = []
            for sub in sorted(candidates[0], key=lambda e: (list(map(str, e.absolute_path)), e.message)):
                lines.extend(flatten(sub))
            return lines
        consts = sorted({json_path(e.absolute_path) for errs in branches.values()
                         for e in errs if e.validator == "const" and len(e.absolute_path) == depth + 1})
        if not candidates and len(consts) == 1 and all(
                any(e.validator == "const" and len(e.absolute_path) == depth + 1 for e in errs)
                for errs in branches.values()):
            return [(json_path(error.absolute_path),
                     "matches none of the %d alternatives (%s has none of their values)"
                     % (len(branches), consts[0]))]
        lines = [(json_path(error.absolute_path), message(error))]
        for index in sorted(branches, key=str):
            for sub in branches[index]:
                lines.append((json_path(sub.absolute_path),
                              "  (alternative %s) %s" % (index, message(sub))))
        return lines
    return [(json_path(error.absolute_path), message(error))]


def check_file(validator, name):
    """Returns the error lines of one file (empty when it is valid)."""
    try:
        with open(name, encoding="utf-8") as f:
            document = json.load(f)
    except OSError as e:
        return [("$", "cannot read: %s" % e.strerror)]
    except ValueError as e:
        return [("$", "not JSON: %s" % e)]
    lines = []
    errors = sorted(validator.iter_errors(document),
                    key=lambda e: (list(map(str, e.absolute_path)), e.message))
    for error in errors:
        for line in flatten(error):
            if line not in lines:  # a property both the envelope and the document describe
                lines.append(line)
    return lines


def main(argv):
    args = argv[1:]
    expect_invalid = False
    if args and args[0] == "--expect-invalid":
        expect_invalid = True
        args = args[1:]
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if len(args) < 2 or any(a.startswith("--") for a in args[:1]):
        sys.stderr.write(USAGE + "\n")
        return 2
    schema_name, files = args[0], args[1:]
    try:
        with open(schema_name, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
    except (OSError, ValueError) as e:
        sys.stderr.write("validate.py: error: %s: cannot load the schema: %s\n" % (schema_name, e))
        return 2
    except jsonschema.exceptions.SchemaError as e:
        sys.stderr.write("validate.py: error: %s: not a valid draft 2020-12 schema: %s\n"
                         % (schema_name, e.message))
        return 2
    validator = Draft202012Validator(schema)  # no format_checker: formats are not checked

    failed = 0
    for name in files:
        lines = check_file(validator, name)
        for path, message in lines:
            print("%s: %s: %s" % (name, path, message))
        if expect_invalid:
            if lines:
                print("%s: rejected, as expected" % name)
            else:
                print("%s: accepted, but it should be rejected" % name)
                failed += 1
        else:
            if lines:
                failed += 1
            else:
                print("%s: ok" % name)
    what = "accepted (should be rejected)" if expect_invalid else "invalid"
    print("%d of %d file(s) %s" % (failed, len(files), what))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
