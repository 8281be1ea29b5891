#!/usr/bin/python3
"""Checks the output of one example: check_output.py NAME RANKS < output.

Each check computes what the program must print on its own (the squares and cubes, the counts,
the sums) and asserts it: exact lines and counts, FIFO order, blocks that do not interleave. Lines
from different MPI ranks reach mpirun's output in no set order, so only the order within one rank
(or one process's threads) is asserted. The racy demonstrations are only checked to run and to
print a count in range: whether they lose updates on a given run is chance.
"""
import re
import sys


class CheckFailed(Exception):
    pass


def require(cond, what):
    if not cond:
        raise CheckFailed(what)


def fmt_list(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def subsequence(lines, pattern):
    """The lines that match a regular expression, in output order."""
    rx = re.compile(pattern)
    return [ln for ln in lines if rx.fullmatch(ln)]


def same_lines(lines, expected):
    require(sorted(lines) == sorted(expected),
            f"expected exactly these lines (any order between ranks): {expected}")


def check_01_processes(lines, ranks):
    numbers = [2, 3, 4, 5]
    squares = [f"Square of {n} is {n * n}" for n in numbers]
    cubes = [f"Cube of {n} is {n ** 3}" for n in numbers]
    same_lines(lines, squares + cubes)
    require(subsequence(lines, r"Square .*") == squares, "squares out of order")
    require(subsequence(lines, r"Cube .*") == cubes, "cubes out of order")


def check_02_no_shared_state(lines, ranks):
    squares = fmt_list([x * x for x in [1, 3, 4, 5]])
    parent = "rank 0 (the parent) sees result = []"
    child = f"rank 1 (the child) filled its own copy: {squares}"
    gathered = f"after MPI_Gatherv, rank 0 has result = {squares}"
    same_lines(lines, [parent, child, gathered])
    require(lines.index(parent) < lines.index(gathered), "rank 0 printed the gather first")


def check_03_shared_counter(lines, ranks):
    expected = 1000 * ranks
    require(f"{ranks} ranks x 1000 increments on one node: expected {expected}" in lines,
            "header line missing")
    racy = [re.fullmatch(r"racy shared memory \(load, then store\): (\d+) \((-?\d+) lost\)", ln)
            for ln in lines]
    racy = [m for m in racy if m]
    require(len(racy) == 1, "one racy line")
    value, lost = int(racy[0].group(1)), int(racy[0].group(2))
    require(1 <= value <= expected and lost == expected - value,
            f"racy count {value} (lost {lost}) outside 1..{expected}")
    require(f"shared memory, atomic_fetch_add: {expected}" in lines,
            f"atomic shared-memory count is not {expected}")
    require(f"RMA window, MPI_Accumulate(MPI_SUM) from {ranks} ranks: {expected}" in lines,
            f"RMA count is not {expected}")
    require(len(lines) == 4, "exactly 4 lines")


def check_04_queue(lines, ranks):
    items = list(range(5))
    produced = subsequence(lines, r"Produced: \d+")
    consumed = subsequence(lines, r"Consumed: \d+")
    require(produced == [f"Produced: {i}" for i in items], "producer lines wrong")
    require(consumed == [f"Consumed: {i}" for i in items], "not first in, first out")
    end = f"Consumer: end of stream after {len(items)} items"
    require(end in lines, "no clean end of stream")
    # The consumer's lines are its own, in order: the end comes after its last item.
    require(lines.index(end) > lines.index(consumed[-1]), "end of stream before the last item")
    require(len(lines) == 2 * len(items) + 1, "unexpected lines")


def check_05_pipe(lines, ranks):
    data = [1, 2, 3, 4]
    same_lines(lines, [f"Parent received: {fmt_list(data)}",
                       f"Child received the reply: sum = {sum(data)}",
                       "Rank 0 sent 0 and received 100",
                       "Rank 1 sent 100 and received 0"])


def check_06_padding(lines, ranks):
    require(len(lines) == 4, "4 lines")
    m = re.fullmatch(r"(\d+) threads x 20000000 increments of a per-thread counter", lines[0])
    require(m and int(m.group(1)) >= 2, "header line")
    require(re.fullmatch(r"packed \(8 bytes apart\): \d+\.\d+ s, every counter right: yes",
                         lines[1]), "packed counters wrong")
    require(re.fullmatch(r"padded \(64 bytes apart\): \d+\.\d+ s, every counter right: yes",
                         lines[2]), "padded counters wrong")
    # The ratio is reported, not asserted: it depends on the machine and its load.
    require(re.fullmatch(r"packed / padded time: \d+\.\d+", lines[3]), "ratio line")


def check_blocks(lines, who, count, block):
    """Each of `count` writers' `block` lines, `who` W: 0..block-1, contiguous and in order."""
    require(len(lines) == count * block, f"{count * block} lines of {who}")
    seen = []
    for start in range(0, len(lines), block):
        m = re.fullmatch(rf"{who} (\d+): 0", lines[start])
        require(m, f"a block of {who} lines does not start at line {start}: {lines[start]!r}")
        w = m.group(1)
        require(lines[start:start + block] == [f"{who} {w}: {i}" for i in range(block)],
                f"the block of {who} {w} is interleaved or out of order")
        seen.append(int(w))
    require(sorted(seen) == list(range(count)), f"every {who} once: saw {seen}")


def check_07_lock(lines, ranks):
    threads, block = 3, 5
    # All of it is printed by rank 0, in the order written: the threads' part, then the log.
    check_blocks(lines[:threads * block], "Thread", threads, block)
    check_blocks(lines[threads * block:], "Process", ranks, block)


def check_08_threads(lines, ranks):
    for t in (1, 2):
        require(subsequence(lines, rf"Thread {t}: \d+") == [f"Thread {t}: {i}" for i in range(5)],
                f"thread {t}'s lines")
    require(lines[-1] == "All 2 threads finished", "the join line last")
    require(len(lines) == 11, "11 lines")


def check_09_lock_counter(lines, ranks):
    threads, increments = 5, 100000
    expected = threads * increments
    rx = re.compile(rf"(\w+) +{threads} threads x {increments}: counter = (\d+), "
                    rf"expected {expected} \(\d+\.\d+ s\)")
    names = []
    for ln in lines:
        m = rx.fullmatch(ln)
        require(m, f"unexpected line {ln!r}")
        name, value = m.group(1), int(m.group(2))
        names.append(name)
        if name == "racy":
            require(1 <= value <= expected, f"racy count {value} outside 1..{expected}")
        else:
            require(value == expected, f"{name}: {value}, not {expected}")
    require(names == ["racy", "lock", "critical", "atomic", "reduction"], f"versions {names}")


def check_10_event(lines, ranks):
    payload = sum(range(1, 101))
    waiting, setting = "Worker waiting for event to be set", "Setting the event"
    proceeds = f"Event is set, worker proceeds with payload {payload}"
    rank0_set = "Rank 0: setting the event"
    expected = [waiting, setting, proceeds, rank0_set]
    for r in range(1, ranks):
        expected += [f"Rank {r}: waiting for the event",
                     f"Rank {r}: event is set, proceeds with payload {payload}"]
    same_lines(lines, expected)
    # Within a process: the worker proceeds only after the event was set (the waiter may print
    # that it waits before or after: it is a thread of its own).
    require(lines.index(setting) < lines.index(proceeds), "worker proceeded before the set")
    require(lines.index(waiting) < lines.index(proceeds), "worker lines out of order")
    require(lines.index(proceeds) < lines.index(rank0_set), "rank 0's parts out of order")
    for r in range(1, ranks):
        require(lines.index(f"Rank {r}: waiting for the event") <
                lines.index(f"Rank {r}: event is set, proceeds with payload {payload}"),
                f"rank {r}'s lines out of order")


def check_11_sync_tools(lines, ranks):
    threads, transfers = 5, 1000
    start = threads * transfers
    require(len(lines) == 3, "3 lines")
    require(lines[0] == f"rlock: {threads} threads x {transfers} transfers of 1 from account 0 "
                       f"({start} at the start): account 0 = {start - threads * transfers}, "
                       f"account 1 = {threads * transfers}", "recursive lock: wrong balances")
    m = re.fullmatch(rf"semaphore: 2 slots, {threads * 4} entries, at most (\d+) threads inside "
                     r"at once", lines[1])
    require(m and 1 <= int(m.group(1)) <= 2, "semaphore: more threads inside than slots")
    items = 1000
    require(lines[2] == f"condition: {items} items through a 4-slot buffer, {items} taken, "
                       f"sum {items * (items + 1) // 2}", "condition variable: items lost")


def main():
    name, ranks = sys.argv[1], int(sys.argv[2])
    check = globals().get("check_" + name)
    if check is None:
        print(f"check_output.py: no check for {name}", file=sys.stderr)
        return 2
    lines = sys.stdin.read().splitlines()
    try:
        check(lines, ranks)
    except CheckFailed as e:
        print(f"FAIL: {name}: {e}", file=sys.stderr)
        return 1
    print(f"{name}: output checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
