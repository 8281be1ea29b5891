#!/usr/bin/python3
"""Lists the skipped tests of ctest runs, each with its reason.

    ctest_skips.py JUNIT.xml...     (ctest --output-junit FILE; missing files are ignored)

A test skips by exiting with its SKIP_RETURN_CODE (77 here) after printing one line "SKIP: why"
(or "skip: why"); that line is the reason shown. A test that passes but could not run part of its
checks here prints "SKIP: what and why" lines too (tests/mpi/errors.sh): those are listed as
"part skipped". Exit status 0 (the summary informs; the tests' own statuses decide).
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

REASON = re.compile(r"^\s*(?:SKIP|skip|Skipped|SKIPPED)\b:?\s*(.*)$", re.M)


def skips(path):
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        out = case.findtext("system-out") or ""
        found = [m.group(1).strip() for m in REASON.finditer(out)]
        sk = case.find("skipped")
        if sk is None and case.get("status") not in ("notrun", "disabled"):
            if case.find("failure") is None and case.find("error") is None:
                for why in found:
                    yield case.get("name"), "part skipped: " + why
            continue
        # the last SKIP line is the one that ended the test
        why = found[-1] if found else (sk.get("message") if sk is not None else "")
        yield case.get("name"), why or "no reason printed"


def main(argv):
    rows = []
    for path in argv[1:]:
        if os.path.exists(path):
            label = os.path.basename(path)[:-4].replace("junit-", "")
            rows += [(label, n, w) for n, w in skips(path)]
    if rows:
        print("== skipped: %d test%s" % (len(rows), "" if len(rows) == 1 else "s"))
        for label, name, why in rows:
            print("  %s/%s: %s" % (label, name, why))
    else:
        print("== skipped: none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
