#!/usr/bin/python3
"""Make the man page docs/sqcube.1 from sqcube's own --help texts, so it cannot drift from them.

The COMMANDS and OPTIONS sections are the help of each command (`sqcube --help`,
`sqcube COMMAND --help`) turned into roff; the other sections (description, progress, output,
exit status, environment, examples, see also) are written here. `check` fails (exit 1) when the
page differs from what the binary gives, or when an option of any --help is missing from it;
`update` rewrites it.
Usage: man_page.py check|update SQCUBE PAGE
"""
import argparse
import re
import subprocess
import sys

COMMANDS = ["run", "verify", "info", "affinity", "doctor"]


def help_text(sqcube, args):
    return subprocess.run([sqcube] + args, capture_output=True, text=True, check=True).stdout


def roff(text):
    """Plain text as roff: backslashes and hyphens escaped, no line starting with . or '."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def parse_help(text):
    """(usage, summary, [(head, [help lines])]) of one command's --help."""
    lines = text.splitlines()
    usage = lines[0].removeprefix("Usage: ")
    i = 2
    summary = []
    while i < len(lines) and lines[i].strip():
        summary.append(lines[i].strip())
        i += 1
    options = []
    for line in lines[i:]:
        if line.startswith("Options:") or not line.strip():
            continue
        if line.startswith("      "):
            options[-1][1].append(line.strip())
        elif line.startswith("  "):
            options.append((line.strip(), []))
    return usage, " ".join(summary), options


def option_head(head):
    """'-c, --chunk N' as roff: names bold, the argument italic."""
    out = []
    for part in head.split(", "):
        name, _, arg = part.partition(" ")
        out.append(f"\\fB{roff(name)}\\fR" + (f" \\fI{roff(arg)}\\fR" if arg else ""))
    return ", ".join(out)


def page(sqcube, version):
    overview = help_text(sqcube, ["--help"])
    parts = [f'.TH SQCUBE 1 "" "sqcube {version}" "User Commands"',
             ".SH NAME",
             "sqcube \\- squares and cubes of a dataset, with reductions, on MPI ranks x OpenMP "
             "threads, into one parallel HDF5 file",
             ".SH SYNOPSIS"]
    helps = {c: parse_help(help_text(sqcube, [c, "--help"])) for c in COMMANDS}
    for c in COMMANDS:
        parts += [".PP", f"\\fB{roff(helps[c][0])}\\fR"]
    parts += [".PP", "\\fBsqcube help\\fR [\\fICOMMAND\\fR] | \\fBsqcube\\fR \\fICOMMAND\\fR "
              "\\fB\\-\\-help\\fR | \\fBsqcube \\-\\-version\\fR",
              ".SH DESCRIPTION",
              roff("sqcube computes the square and the cube of every element of a dataset (an "
                   "HDF5 dataset of any integer or float type and shape, or one generated on the "
                   "fly), with the count, sum, sum of squares, sum of cubes, min, max and "
                   "non-finite count, and writes everything into one HDF5 file with parallel "
                   "HDF5. Integer sums are exact and float sums correctly rounded: the results "
                   "are bit-identical on any number of ranks and threads."),
              ".PP",
              roff("sqcube is an MPI program: start it with mpirun -np RANKS or srun; each rank "
                   "runs OMP_NUM_THREADS OpenMP threads. Give each thread a core: bind the ranks "
                   "and set OMP_NUM_THREADS to the cores of each rank (EXAMPLES). A single "
                   "process (sqcube info out.h5) needs no launcher."),
              ".SH COMMANDS"]
    for c in COMMANDS:
        parts += [".TP", f"\\fB{c}\\fR", roff(helps[c][1])]
    parts += [".SH OPTIONS"]
    for c in COMMANDS:
        parts += [".SS", f"sqcube {c}"]
        for head, lines in helps[c][2]:
            parts += [".TP", option_head(head), roff(" ".join(lines))]
    parts += [
        ".SH PROGRESS",
        roff("On a terminal rank 0 redraws a progress bar on stderr a few times a second "
             "(elements done, percent, elapsed, ETA, current GB/s), counted over all ranks; in a "
             "batch log it prints a plain line every --progress-interval seconds and one at "
             "100%. Under mpirun the launcher's stderr decides. --progress overrides the "
             "choice, --quiet turns it off."),
        ".SH CHECKPOINT AND RESUME",
        roff("Every run can be stopped with SIGTERM, SIGINT or SIGUSR1 (Slurm --signal, scancel, "
             "a time limit): each rank finishes its current chunk, the progress is saved in "
             "OUTPUT.partial and sqcube exits 4. sqcube run with the same arguments and --resume "
             "continues on any number of ranks and threads; without a checkpoint it starts from "
             "the beginning. The final file equals an uninterrupted run's; /provenance/runs "
             "lists every session. sqcube verify refuses a partial file."),
        ".SH OUTPUT",
        roff("The result file holds /square and /cube (the input's shape), /timing (seconds per "
             "rank per phase), the reductions as root attributes and the provenance in the group "
             "/provenance. It is written as OUTPUT.partial and renamed when complete. "
             "--summary-json writes the same as JSON, --log-csv appends a row to a CSV "
             "file for scaling studies."),
        ".SH EXIT STATUS",
        ".TP", "0", "success",
        ".TP", "1", roff("run-time failure (missing input, unsupported type, overflow, I/O error)"),
        ".TP", "2", roff("usage error (no command, unknown option, bad value, an input file of "
                         "several datasets without :/DATASET, existing output without --force); "
                         "sqcube --help exits 0"),
        ".TP", "3", roff("verification mismatch"),
        ".TP", "4", roff("stopped on a signal (SIGTERM, SIGINT, SIGUSR1): every rank finished its "
                         "chunk and the checkpoint is in OUTPUT.partial; run the same command "
                         "with --resume to continue"),
        ".PP", roff("Every failure prints one line on stderr, sqcube: error: ..., and every rank "
                    "exits with the same status."),
        ".SH ENVIRONMENT",
        ".TP", "\\fBOMP_NUM_THREADS\\fR", "OpenMP threads per rank.",
        ".TP", "\\fBSQCUBE_NO_OVERLAP=1\\fR", roff("do not overlap writing with computing."),
        ".TP", "\\fBSQCUBE_HDF5_DEBUG=1\\fR", roff("print HDF5's error stack on a failure."),
        ".TP", "\\fBSQCUBE_STOP_AFTER=\\fIK\\fR",
        roff("for tests: act as if SIGUSR1 arrived after K chunk rounds."),
        ".TP", "\\fBHDF5_USE_FILE_LOCKING=FALSE\\fR",
        roff("HDF5's own: no file locking, for file systems that cannot lock (see sqcube doctor)."),
        ".TP", "\\fBSQCUBE_MAX_TRANSFER=\\fIBYTES\\fR",
        roff("lower the most one HDF5 read or write call moves (default 1 GiB): a count as "
             "--chunk takes it (80, 64K, 1M), from 8 to 1G; another value is a usage error."),
        ".TP", "\\fBSQCUBE_TRANSPORT=keep\\fR",
        roff("do not choose Open MPI's pml ob1 when every rank is on one host and nobody chose a "
             "transport."),
        ".TP", "\\fBSQCUBE_WAIT_POLICY=keep\\fR",
        roff("do not re-execute with OMP_WAIT_POLICY=passive when a host's threads may "
             "outnumber its CPUs."),
        ".SH EXAMPLES",
        ".nf",
        roff("OMP_NUM_THREADS=2 mpirun -np 4 --map-by slot:PE=2 --bind-to core -x OMP_NUM_THREADS \\"),
        roff("    sqcube run --generate range:1e8 --output big.h5"),
        roff("mpirun -np 4 --bind-to core -x OMP_NUM_THREADS=1 \\"),
        roff("    sqcube run --input data.h5:/x --output out.h5 --log-csv runs.csv"),
        roff("mpirun -np 2 --bind-to core -x OMP_NUM_THREADS=1 sqcube verify big.h5"),
        roff("srun --mpi=pmix --cpu-bind=cores sqcube doctor --generate range:1e12 --output /scratch/out.h5"),
        roff("srun --mpi=pmix --cpu-bind=cores sqcube run --generate range:1e12 --output /scratch/out.h5 --resume"),
        roff("sqcube info big.h5"),
        ".fi",
        ".SH SEE ALSO",
        roff("mpirun(1), h5dump(1); README.md and docs/ (cli.md, output-format.md, clusters.md, "
             "analysis.md, performance.md) in the sources or the installed documentation; the overview: "),
        ".PP",
        ".nf",
    ] + [roff(line) for line in overview.splitlines() if line.startswith("Documentation")] + [
        ".fi", ""]
    return "\n".join(parts)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["check", "update"])
    p.add_argument("sqcube")
    p.add_argument("page")
    a = p.parse_args()
    version = help_text(a.sqcube, ["--version"]).split()[1]
    want = page(a.sqcube, version)
    if a.mode == "update":
        open(a.page, "w").write(want)
        print(f"man_page: wrote {a.page}")
        return 0
    have = open(a.page).read()
    # Every option of every --help must be in the page (a second line of defence: names).
    missing = set()
    for c in COMMANDS:
        for head, _ in parse_help(help_text(a.sqcube, [c, "--help"]))[2]:
            for part in head.split(", "):
                name = part.split(" ")[0]
                if f"\\fB{roff(name)}\\fR" not in have:
                    missing.add(name)
    if missing:
        print(f"man_page: {a.page} lacks the options {', '.join(sorted(missing))}")
    if have != want:
        print(f"man_page: {a.page} is out of date; run scripts/man_page.py update {a.sqcube} "
              f"{a.page}")
        return 1
    if missing:
        return 1
    print(f"man_page: {a.page} matches the --help of {', '.join(COMMANDS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
