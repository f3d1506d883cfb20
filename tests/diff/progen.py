"""progen.py - random scenario programs (seeded), their structural rules, and a shrinker.

The rules keep a program meaningful on both sides (the C interpreter holds plain pointers):
  - T0 is the main task; task n > 0 is spawned at most once, by a task m < n, in a
    statement at the top level of m's body;
  - only that spawner joins, waits for, gathers or waits on n, after the spawn, and at most
    one statement of its body collects n (join, waitfor, gather); nobody cancels T0 or itself;
  - lock and with blocks do not nest the same lock or condition; cwait and notify only
    inside `with` of their condition; yieldfrom only to a generator of a higher number;
  - nothing raises or throws EXIT: a GeneratorExit that leaves a generator's next() into an
    asyncio task is thrown into the task's coroutine, where Python closes the inner frames
    of the chain of awaits instead (a coroutine quirk the kernel has no reason to copy).
The timing hazards (docs/python.md) are left to the Python interpreter, which reports them:
programs that hit one are generated again.
"""
import random

from scenario import ERRORS, MAX_CONDS, MAX_EVENTS, MAX_LOCKS, Program, Stmt, dump, parse

COLLECT = ("join", "waitfor", "gather")


class Invalid(Exception):
    pass


def walk(stmts):
    for s in stmts:
        yield s
        for b in s.blocks:
            yield from walk(b)


def validate(prog):
    """Raise Invalid if prog breaks a structural rule."""
    if 0 not in prog.tasks:
        raise Invalid("no main task")
    spawner = {}
    for m, body in prog.tasks.items():
        for s in body:
            if s.op == "spawn":
                n = s.args[0]
                if n in spawner or n <= m or n not in prog.tasks:
                    raise Invalid("spawn T%d" % n)
                spawner[n] = m
        for s in walk(body):
            if s.op == "spawn" and s not in body:
                raise Invalid("nested spawn")
    for n in prog.tasks:
        if n and n not in spawner:
            raise Invalid("T%d never spawned" % n)
    for m, body in prog.tasks.items():
        _check_body(prog, m, body, spawner)
    for g, body in prog.gens.items():
        for s in walk(body):
            if s.op == "yieldfrom" and (s.args[0] <= g or s.args[0] not in prog.gens):
                raise Invalid("yieldfrom G%d" % s.args[0])
            if s.op == "raise" and s.args[0] == "EXIT":
                raise Invalid("raise EXIT")


def _check_body(prog, m, body, spawner):
    spawned, collected = set(), set()

    def block(stmts, locks, conds):
        for s in stmts:
            op, a = s.op, s.args
            tasks = a[1:] if op in ("gather", "waitany") else a[:1] if op in ("join", "waitfor") else []
            for n in tasks:
                if n not in spawned or spawner.get(n) != m or n in collected:
                    raise Invalid("T%d: %s T%d" % (m, op, n))
            if op in ("gather", "waitany") and len(set(tasks)) != len(tasks):
                raise Invalid("repeated task")
            if op in COLLECT:
                collected.update(tasks)
            if op == "spawn":
                spawned.add(a[0])
            if op == "cancel" and a[0] in (0, m):
                raise Invalid("cancel T%d" % a[0])
            if op in ("put", "get", "taskdone", "qjoin", "close") and a[0] not in prog.chans:
                raise Invalid("no Q%d" % a[0])
            if op in ("next", "send", "throw", "gclose") and a[0] not in prog.gens:
                raise Invalid("no G%d" % a[0])
            if op == "throw" and a[1] == "EXIT":
                raise Invalid("throw EXIT")
            if op in ("cwait", "notify", "notifyall") and a[0] not in conds:
                raise Invalid("%s outside with" % op)
            if op == "lock":
                if a[0] in locks:
                    raise Invalid("nested lock")
                block(s.blocks[0], locks | {a[0]}, conds)
            elif op == "with":
                if a[0] in conds:
                    raise Invalid("nested with")
                block(s.blocks[0], locks, conds | {a[0]})
            else:
                for b in s.blocks:
                    block(b, locks, conds)

    block(body, frozenset(), frozenset())


class Gen:
    """One random program. `ticks` scales durations and timeouts (the longest is about
    that many ticks)."""

    def __init__(self, rng, size=40, ticks=30):
        self.r, self.size, self.ticks = rng, size, ticks

    def program(self):
        r = self.r
        p = Program()
        ntasks = r.randint(2, 8)
        for q in range(r.choice((0, 1, 1, 2))):
            p.chans[q] = r.randint(1, 3)
        ngens = r.choice((0, 1, 2, 3, 4))
        self.p, self.ngens = p, ngens
        spawner = {n: (0 if r.random() < 0.6 else r.randrange(n)) for n in range(1, ntasks)}
        self.children = {m: [n for n in spawner if spawner[n] == m] for m in range(ntasks)}
        self.ntasks = ntasks
        per_task = max(3, self.size // (ntasks + ngens // 2 + 1))
        for m in range(ntasks):
            p.tasks[m] = self.task_body(m, r.randint(1, per_task))
        for g in range(ngens):
            p.gens[g] = self.gen_body(g, r.randint(1, 6))
        return p

    def t(self, forever_ok=True):
        """A timeout in ticks (0: forever, sometimes)."""
        if forever_ok and self.r.random() < 0.25:
            return 0
        return self.r.randint(1, self.ticks)

    def err(self, gen=False):
        return self.r.choice(ERRORS if gen else ERRORS[:-1])

    # --- tasks ---------------------------------------------------------------------------
    def task_body(self, m, n):
        r = self.r
        body, spawned, collected = [], [], set()
        kids = list(self.children[m])
        r.shuffle(kids)
        for i in range(n + len(kids)):
            if kids and (r.random() < 0.5 or i >= n):
                k = kids.pop()
                body.append(Stmt("spawn", [k]))
                spawned.append(k)
                continue
            body.append(self.stmt(m, spawned, collected, frozenset(), frozenset(), 0))
        if m == 0 and r.random() < 0.7:
            body.append(Stmt("sleep", [r.randint(self.ticks, 3 * self.ticks)]))
        return body

    def stmt(self, m, spawned, collected, locks, conds, depth):
        r = self.r
        free = [k for k in spawned if k not in collected]
        choices = ["sleep"] * 4 + ["yield", "say", "evset", "evwait", "evwait", "evclear"]
        if m:
            choices += ["return", "raise"]
        others = [k for k in range(1, self.ntasks) if k != m]
        if others:
            choices += ["cancel"] * 3
        if free:
            choices += ["join", "join", "waitfor", "waitfor", "gather", "waitany"]
        if self.p.chans:
            choices += ["put", "put", "get", "get", "taskdone", "qjoin", "close"]
        if self.ngens:
            choices += ["next", "next", "send", "throw", "gclose"]
        if conds:
            choices += ["cwait", "cwait", "notify", "notifyall"]
        if depth < 2:
            choices += ["try", "try", "lock", "with"]
        op = r.choice(choices)
        if op == "sleep":
            return Stmt(op, [r.randint(1, self.ticks)])
        if op in ("say", "return"):
            return Stmt(op, [r.randint(1, 99)])
        if op == "raise":
            return Stmt(op, [self.err()])
        if op == "cancel":
            return Stmt(op, [r.choice(others)])
        if op in ("join", "waitfor"):
            k = r.choice(free)
            collected.add(k)
            return Stmt(op, [k, self.t(forever_ok=op == "waitfor" or r.random() < 0.3)])
        if op in ("gather", "waitany"):
            ks = sorted(r.sample(free, r.randint(1, len(free))))
            if op == "gather":
                collected.update(ks)
                return Stmt(op, [r.randint(0, 1)] + ks)
            return Stmt(op, [self.t()] + ks)
        if op in ("evset", "evclear"):
            return Stmt(op, [r.randrange(MAX_EVENTS)])
        if op == "evwait":
            return Stmt(op, [r.randrange(MAX_EVENTS), self.t()])
        if op in ("put", "get", "qjoin", "taskdone", "close"):
            q = r.choice(sorted(self.p.chans))
            if op == "put":
                return Stmt(op, [q, r.randint(1, 99), self.t()])
            if op in ("get", "qjoin"):
                return Stmt(op, [q, self.t()])
            return Stmt(op, [q])
        if op in ("next", "gclose"):
            return Stmt(op, [r.randrange(self.ngens)])
        if op == "send":
            return Stmt(op, [r.randrange(self.ngens), r.randint(1, 99)])
        if op == "throw":
            return Stmt(op, [r.randrange(self.ngens), self.err()])
        if op in ("cwait", "notify", "notifyall"):
            c = r.choice(sorted(conds))
            return Stmt(op, [c, self.t()] if op == "cwait" else [c])
        sub = lambda lk=locks, cd=conds: [self.stmt(m, spawned, collected, lk, cd, depth + 1)
                                          for _ in range(r.randint(1, 3))]
        if op == "try":
            errs = sorted(set(r.sample(ERRORS[:-1], r.randint(1, 3))), key=ERRORS.index)
            return Stmt(op, errs, [sub(), sub()])
        if op == "lock":
            left = [lk for lk in range(MAX_LOCKS) if lk not in locks]
            lk = r.choice(left) if left else None
            if lk is None:
                return Stmt("yield", [])
            return Stmt(op, [lk, self.t()], [sub(locks | {lk}, conds)])
        left = [c for c in range(MAX_CONDS) if c not in conds]
        if not left:
            return Stmt("yield", [])
        c = r.choice(left)
        return Stmt("with", [c], [sub(locks, conds | {c})])

    # --- generators ----------------------------------------------------------------------
    def gen_body(self, g, n, depth=0):
        r = self.r
        body = []
        for _ in range(n):
            choices = ["yield"] * 4 + ["say", "return", "raise"]
            if g + 1 < self.ngens:
                choices += ["yieldfrom"] * 2
            if depth < 2:
                choices += ["try"] * 2
            op = r.choice(choices)
            if op in ("yield", "say", "return"):
                body.append(Stmt(op, [r.randint(1, 99)]))
            elif op == "raise":
                body.append(Stmt(op, [self.err()]))
            elif op == "yieldfrom":
                body.append(Stmt(op, [r.randint(g + 1, self.ngens - 1)]))
            else:
                errs = sorted(set(r.sample(ERRORS, r.randint(1, 3))), key=ERRORS.index)
                body.append(Stmt(op, errs, [self.gen_body(g, r.randint(1, 2), depth + 1),
                                            self.gen_body(g, r.randint(1, 2), depth + 1)]))
        return body


def count(prog):
    return sum(1 for body in list(prog.tasks.values()) + list(prog.gens.values()) for _ in walk(body))


def generate(seed, index, runner, size=40, ticks=30, tries=200):
    """Program number index of seed: the first random program (of a stream that depends only
    on seed and index) that is valid and that the Python interpreter runs without a hazard.
    Returns (program, its Python trace, how many were dropped)."""
    rng = random.Random("%s/%d" % (seed, index))
    for attempt in range(tries):
        prog = Gen(rng, size, ticks).program()
        validate(prog)
        lines, hazards = runner.run(prog)
        if not hazards:
            return prog, lines, attempt
    raise RuntimeError("no hazard-free program for seed %s index %d" % (seed, index))


# ------------------------------------------------------------------------------------------
# Shrinking: smaller variants of a program, tried in order by shrink().

def _copy(prog):
    return parse(dump(prog))


def _bodies(prog):
    return [("task", n) for n in sorted(prog.tasks)] + [("gen", g) for g in sorted(prog.gens)]


def _body(prog, key):
    return (prog.tasks if key[0] == "task" else prog.gens)[key[1]]


def _paths(stmts, prefix=()):
    """Paths (index tuples through blocks) of every statement, deepest last."""
    for i, s in enumerate(stmts):
        yield prefix + (i,)
        for j, b in enumerate(s.blocks):
            yield from _paths(b, prefix + (i, j))


def _locate(stmts, path):
    """(list holding the statement, its index)."""
    for k in range(0, len(path) - 1, 2):
        stmts = stmts[path[k]].blocks[path[k + 1]]
    return stmts, path[-1]


def _drop_task(prog, n):
    """prog without task n (and what refers to it), or None."""
    p = _copy(prog)
    del p.tasks[n]

    def fix(stmts):
        out = []
        for s in stmts:
            if s.op in ("spawn", "cancel", "join", "waitfor") and s.args[0] == n:
                continue
            if s.op in ("gather", "waitany") and n in s.args[1:]:
                s.args = [a for k, a in enumerate(s.args) if k == 0 or a != n]
                if len(s.args) == 1:
                    continue
            s.blocks = [fix(b) for b in s.blocks]
            out.append(s)
        return out

    for m in p.tasks:
        p.tasks[m] = fix(p.tasks[m])
    return p


def candidates(prog):
    """Smaller variants of prog, biggest cuts first."""
    for n in sorted(prog.tasks, reverse=True):
        if n:
            yield _drop_task(prog, n)
    for key in _bodies(prog):
        for path in sorted(_paths(_body(prog, key)), key=len):
            p = _copy(prog)
            stmts, i = _locate(_body(p, key), path)
            s = stmts[i]
            del stmts[i]
            yield p
            for j in range(len(s.blocks)):   # unwrap: a block instead of the statement
                p = _copy(prog)
                stmts, i = _locate(_body(p, key), path)
                stmts[i:i + 1] = stmts[i].blocks[j]
                yield p
    for g in sorted(prog.gens, reverse=True):
        p = _copy(prog)
        p.gens[g] = []
        yield p
    for q in sorted(prog.chans):
        if prog.chans[q] > 1:
            p = _copy(prog)
            p.chans[q] = 1
            yield p


def shrink(prog, diverges, runner, budget=400):
    """The smallest variant of prog (greedy) that is valid, hazard-free in Python and still
    diverges (diverges(p) -> bool runs both sides)."""
    tries = 0
    changed = True
    while changed and tries < budget:
        changed = False
        for p in candidates(prog):
            tries += 1
            if tries > budget:
                break
            try:
                validate(p)
            except Invalid:
                continue
            if runner.run(p)[1]:
                continue
            if diverges(p):
                prog, changed = p, True
                break
    return prog
