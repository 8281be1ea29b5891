#!/usr/bin/env bash
# The edges of sqcube (docs/architecture.md): parallel*.c is the only file that calls MPI, h5io*.c
# the only one that calls HDF5, and their private headers (parallel_mpi.h, h5io_internal.h) are
# the only headers that show an MPI or HDF5 type. The library split (sqcube_pure links neither
# MPI nor HDF5) catches a stray call in a pure module at link time; this catches what links
# anyway: a type, a constant, a header or a call in an edge module of the wrong kind.
# Comments and string literals are ignored (help texts and messages may name MPI and HDF5 calls).
#   bash scripts/check_edges.sh        exits 1 and lists every violation
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
/usr/bin/python3 - src/*.c src/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h <<'PYEOF'
import os, re, sys

MPI_FILES = re.compile(r"^(parallel[a-z_]*\.c|parallel_mpi\.h|h5io[a-z_]*\.c|h5io_internal\.h)$")
HDF5_FILES = re.compile(r"^(h5io[a-z_]*\.c|h5io_internal\.h)$")
MPI = re.compile(r"\bMPI_[A-Za-z0-9_]+|#\s*include\s*[<\"](mpi|parallel_mpi)\.h[>\"]")
HDF5 = re.compile(r"\bH5[A-Za-z0-9_]+|\b(hid_t|herr_t|hsize_t|hssize_t|htri_t|haddr_t)\b"
                  r"|#\s*include\s*[<\"](hdf5|H5[A-Za-z0-9_]*|h5io_internal)\.h[>\"]")

def code_only(text):
    """The text with comments and string/char literals blanked, line numbers kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            keep = c == '"' and re.search(r"#\s*include\s*$", text[max(0, i - 40):i])
            body = text[i + 1:j] if keep else re.sub(r"[^\n]", " ", text[i + 1:j])
            out.append(c + body + c); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)

bad = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    name = os.path.basename(path)
    code = code_only(open(path, encoding="utf-8").read())
    for lineno, line in enumerate(code.splitlines(), 1):
        for rule, allowed, what in ((MPI, MPI_FILES, "MPI (only parallel*.c, parallel_mpi.h and h5io*.c)"),
                                    (HDF5, HDF5_FILES, "HDF5 (only h5io*.c and h5io_internal.h)")):
            if allowed.match(name):
                continue
            for m in rule.finditer(line):
                print(f"{path}:{lineno}: '{m.group(0).strip()}' is {what}")
                bad += 1
if bad:
    print(f"check_edges: {bad} use(s) of MPI or HDF5 outside the edge files; "
          "see docs/architecture.md", file=sys.stderr)
    sys.exit(1)
print("check_edges: MPI only in parallel*.c (and h5io's hand-over to HDF5), HDF5 only in h5io*.c")
PYEOF
