# bench/drgn_stacks.py CORE: drgn's side of the core rows of bench/sides.sh.
# Every thread's stack with function names (DWARF, else the symbol table)
# and source lines, inline frames included: what `eu-stack -s -i` prints.
# Run with Debian's python3-drgn: /usr/bin/python3 bench/drgn_stacks.py CORE
import sys

import drgn


def frame_line(prog, i, f):
    try:
        pc = f.pc
    except LookupError:
        pc = 0
    name = f.name
    if not name and pc:
        try:
            name = prog.symbol(pc - (0 if i == 0 else 1)).name
        except LookupError:
            name = None
    try:
        src = "%s:%d" % f.source()[:2]
    except LookupError:
        src = ""
    return "#%-2d 0x%x %s%s %s" % (i, pc, name or "??", " [inline]" if f.is_inline else "", src)


def main():
    prog = drgn.Program()
    prog.set_core_dump(sys.argv[1])
    try:
        prog.load_default_debug_info()
    except drgn.MissingDebugInfoError:
        pass
    out = []
    for t in prog.threads():
        out.append("TID %d %s" % (t.tid, getattr(t, "name", None) or ""))
        try:
            trace = t.stack_trace()
        except (ValueError, LookupError) as e:
            out.append("  (%s)" % e)
            continue
        for i, f in enumerate(trace):
            out.append(frame_line(prog, i, f))
    sys.stdout.write("\n".join(out) + "\n")


main()
