#!/usr/bin/python3
"""Keep docs/cli.md in step with sqcube's --help.

docs/cli.md holds, between markers, the output of each help command:
    <!-- BEGIN: sqcube run --help -->
    ```text
    ...
    ```
    <!-- END -->
`check` fails (exit 1) when a block differs from what the binary prints; `update` rewrites them.
Usage: cli_doc.py check|update SQCUBE DOC
"""
import argparse
import re
import subprocess
import sys

BLOCK = re.compile(r"<!-- BEGIN: sqcube (?P<args>[^>]*?) -->\n```text\n(?P<body>.*?)```\n<!-- END -->",
                   re.S)


def help_text(sqcube, args):
    out = subprocess.run([sqcube] + args.split(), capture_output=True, text=True, check=True)
    return out.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["check", "update"])
    p.add_argument("sqcube")
    p.add_argument("doc")
    a = p.parse_args()
    text = open(a.doc).read()
    blocks = list(BLOCK.finditer(text))
    if not blocks:
        print(f"cli_doc: no help blocks in {a.doc}")
        return 1
    stale = []

    def replace(m):
        want = help_text(a.sqcube, m.group("args"))
        if m.group("body") != want:
            stale.append(m.group("args"))
        return f"<!-- BEGIN: sqcube {m.group('args')} -->\n```text\n{want}```\n<!-- END -->"

    new = BLOCK.sub(replace, text)
    if a.mode == "update":
        open(a.doc, "w").write(new)
        print(f"cli_doc: updated {len(stale)} of {len(blocks)} blocks")
        return 0
    # Every command the overview lists must have its block: a new command cannot go undocumented.
    overview = help_text(a.sqcube, "--help")
    commands = re.findall(r"^  (\w+)$", overview.split("Commands:", 1)[-1], re.M)
    documented = {m.group("args") for m in blocks}
    missing = [c for c in commands if f"{c} --help" not in documented]
    if missing:
        print(f"cli_doc: {a.doc} has no help block for: " + ", ".join(missing))
        return 1
    if stale:
        print(f"cli_doc: {a.doc} is out of date for: " + ", ".join(f"sqcube {s}" for s in stale))
        print(f"cli_doc: run scripts/cli_doc.py update {a.sqcube} {a.doc}")
        return 1
    print(f"cli_doc: all {len(blocks)} help blocks in {a.doc} match the binary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
