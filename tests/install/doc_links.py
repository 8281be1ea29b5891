#!/usr/bin/python3
"""Every relative link in the installed Markdown docs points at an installed file.

Usage: doc_links.py DOCDIR [MIN_LINKS]
Reads every *.md under DOCDIR, takes each Markdown link [text](target) that is not a URL or a
same-page anchor, and checks that target (without its #anchor) exists, relative to the file,
and stays inside DOCDIR. Exit 0 all resolve, 1 a link is broken or fewer than MIN_LINKS were
found (so a parser that matched nothing cannot pass).
"""
import os
import re
import sys

LINK = re.compile(r"\]\(([^)\s]+)\)")


def main():
    doc = os.path.realpath(sys.argv[1])
    min_links = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    broken, count = [], 0
    for top, _dirs, files in os.walk(doc):
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            path = os.path.join(top, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in LINK.finditer(text):
                target = m.group(1)
                if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
                    continue
                count += 1
                dest = os.path.realpath(os.path.join(top, target.split("#")[0]))
                rel = os.path.relpath(path, doc)
                if not dest.startswith(doc + os.sep) or not os.path.exists(dest):
                    broken.append(f"{rel}: ({target}) -> {dest}")
    for b in broken:
        print("broken link:", b)
    print(f"doc_links: {count} relative links in {doc}, {len(broken)} broken")
    if count < min_links:
        print(f"doc_links: expected at least {min_links} links")
        return 1
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
