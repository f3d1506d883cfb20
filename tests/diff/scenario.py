"""scenario.py - the scenario language of the differential tests, and its Python interpreter.

A program is a few tasks and generators, written as bodies of statements, one per line:

    chan 0 2                 channel Q0 holds 2 messages (asyncio.Queue(2) / k_chan_alloc)
    task 0 {                 T0 is the main task; the other tasks' bodies follow
      spawn 1
      sleep 3
      try {
        join 1 5             join T1, waiting up to 5 ticks (0: forever)
      } except TIMEOUT CANCELLED {
        say 2
      }
      return 7
    }
    task 1 { ... }
    gen 0 {                  G0, a generator (all are created when the program starts)
      yield 4
      yieldfrom 1
    }
    end                      the program ends here

Task statements (t: a timeout or duration in ticks, 0 meaning forever where it is a timeout):
  spawn n, sleep t, yield (asyncio.sleep(0) / k_yield), say v, return v, raise ERR,
  cancel n, join n t (await asyncio.shield(Tn) / k_join), waitfor n t (asyncio.wait_for /
  k_wait_for), gather rx n... (asyncio.gather(return_exceptions=rx) / k_gather), waitany t
  n... (asyncio.wait(FIRST_COMPLETED) / k_wait_any), evset e, evclear e, evwait e t,
  lock l t { ... } (acquire L l within t, run the block, release), with c { ... } (hold
  condition C c's lock), cwait c t, notify c, notifyall c, put q v t, get q t, taskdone q,
  qjoin q t, close q, next g, send g v, throw g ERR, gclose g, try { ... } except ERR... { ... }.
Generator statements: yield v, yieldfrom g, say v, return v, raise ERR, try/except.
ERR is one of E1 E2 TIMEOUT CANCELLED PIPE (a closed channel) EXIT (GeneratorExit).

Each interpreter prints one line per event: "<tick> T<n> <event> = <outcome>", the tick
being virtual time since the program started. Outcomes are printed the native way (Python
exception names here, errno names in C); docs/python.md's mapping table says which match.
"""
import asyncio
import inspect
import os
import selectors
import sys

ERRORS = ("E1", "E2", "TIMEOUT", "CANCELLED", "PIPE", "EXIT")
MAX_TASKS, MAX_GENS, MAX_CHANS, MAX_EVENTS, MAX_LOCKS, MAX_CONDS = 8, 4, 2, 2, 2, 2

# statement -> (kinds of its arguments, number of blocks); "n" a task, "g" a generator, "q"
# a channel, "e" an event, "l" a lock, "c" a condition, "t" ticks, "v" a value, "E" an
# error name, "*" any number of tasks after the fixed arguments
TASK_OPS = {
    "spawn": ("n", 0), "sleep": ("t", 0), "yield": ("", 0), "say": ("v", 0), "return": ("v", 0),
    "raise": ("E", 0), "cancel": ("n", 0), "join": ("nt", 0), "waitfor": ("nt", 0),
    "gather": ("v*", 0), "waitany": ("t*", 0), "evset": ("e", 0), "evclear": ("e", 0),
    "evwait": ("et", 0), "lock": ("lt", 1), "with": ("c", 1), "cwait": ("ct", 0),
    "notify": ("c", 0), "notifyall": ("c", 0), "put": ("qvt", 0), "get": ("qt", 0),
    "taskdone": ("q", 0), "qjoin": ("qt", 0), "close": ("q", 0), "next": ("g", 0),
    "send": ("gv", 0), "throw": ("gE", 0), "gclose": ("g", 0), "try": ("", 2),
}
GEN_OPS = {"yield": ("v", 0), "yieldfrom": ("g", 0), "say": ("v", 0), "return": ("v", 0),
           "raise": ("E", 0), "try": ("", 2)}
LIMITS = {"n": MAX_TASKS, "g": MAX_GENS, "q": MAX_CHANS, "e": MAX_EVENTS, "l": MAX_LOCKS,
          "c": MAX_CONDS, "t": 1000, "v": 100}


class Stmt:
    """op, its arguments (ints, or error names), its blocks (lists of Stmt), and for `try`
    the error names its except clause catches (in args)."""
    __slots__ = ("op", "args", "blocks")

    def __init__(self, op, args, blocks=()):
        self.op, self.args, self.blocks = op, list(args), [list(b) for b in blocks]


class Program:
    def __init__(self):
        self.chans = {}          # q -> capacity
        self.tasks = {}          # n -> body
        self.gens = {}           # g -> body


class ParseError(Exception):
    pass


def parse(text):
    """Parse a program (up to its `end` line). Raises ParseError."""
    prog = Program()
    stack = []                   # open blocks: (list to append to, owning Stmt or None)
    ops = None
    for lineno, line in enumerate(text.splitlines(), 1):
        w = line.split()
        if not w:
            continue
        try:
            if not stack:
                if w == ["end"]:
                    return prog
                if w[0] == "chan" and len(w) == 3:
                    prog.chans[_num(w[1], MAX_CHANS)] = _num(w[2], 8, 1)
                elif w[0] in ("task", "gen") and len(w) == 3 and w[2] == "{":
                    table = prog.tasks if w[0] == "task" else prog.gens
                    n = _num(w[1], MAX_TASKS if w[0] == "task" else MAX_GENS)
                    table[n] = []
                    ops = TASK_OPS if w[0] == "task" else GEN_OPS
                    stack.append((table[n], None))
                else:
                    raise ParseError("expected chan, task, gen or end")
                continue
            body, owner = stack[-1]
            if w[0] == "}":
                stack.pop()
                if len(w) > 1:           # "} except ERR... {"
                    if owner is None or owner.op != "try" or len(owner.blocks[1:]) or \
                            w[1] != "except" or w[-1] != "{" or len(w) < 4:
                        raise ParseError("bad except line")
                    owner.args = [_err(e) for e in w[2:-1]]
                    owner.blocks.append([])
                    stack.append((owner.blocks[1], None))
                elif owner is not None and owner.op == "try":
                    raise ParseError("try without except")
                continue
            op = w[0]
            if op not in ops:
                raise ParseError("unknown statement %r" % op)
            kinds, nblocks = ops[op]
            args = w[1:]
            if nblocks:
                if not args or args[-1] != "{":
                    raise ParseError("%s needs a block" % op)
                args = args[:-1]
            if "*" in kinds:
                fixed = kinds[:-1]
                if len(args) <= len(fixed):
                    raise ParseError("%s needs tasks" % op)
                vals = [_arg(k, a) for k, a in zip(fixed, args)] + [_arg("n", a) for a in args[len(fixed):]]
            else:
                if len(args) != len(kinds):
                    raise ParseError("%s takes %d arguments" % (op, len(kinds)))
                vals = [_arg(k, a) for k, a in zip(kinds, args)]
            s = Stmt(op, vals, [[]] if nblocks else [])
            body.append(s)
            if nblocks:
                stack.append((s.blocks[0], s))
        except (ParseError, ValueError) as e:
            raise ParseError("line %d: %s: %s" % (lineno, line.strip(), e))
    raise ParseError("no end line")


def _num(s, limit, low=0):
    v = int(s)
    if not low <= v < limit:
        raise ParseError("%s out of range" % s)
    return v


def _err(s):
    if s not in ERRORS:
        raise ParseError("unknown error %s" % s)
    return s


def _arg(kind, s):
    return _err(s) if kind == "E" else _num(s, LIMITS[kind])


def dump(prog):
    """The text of a program (parse(dump(p)) == p)."""
    out = ["chan %d %d" % kv for kv in sorted(prog.chans.items())]

    def block(stmts, depth):
        pad = "  " * depth
        for s in stmts:
            words = " ".join([s.op] + [str(a) for a in (s.args if s.op != "try" else [])])
            if s.op == "try":
                out.append(pad + "try {")
                block(s.blocks[0], depth + 1)
                out.append(pad + "} except %s {" % " ".join(s.args))
                block(s.blocks[1], depth + 1)
                out.append(pad + "}")
            elif s.blocks:
                out.append(pad + words + " {")
                block(s.blocks[0], depth + 1)
                out.append(pad + "}")
            else:
                out.append(pad + words)

    for kind, table in (("task", prog.tasks), ("gen", prog.gens)):
        for n in sorted(table):
            out.append("%s %d {" % (kind, n))
            block(table[n], 1)
            out.append("}")
    out.append("end")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------
# The Python interpreter: asyncio on a virtual clock, plain Python generators.

class E1(Exception):
    pass


class E2(Exception):
    pass


class ChannelClosed(Exception):
    """A closed channel: asyncio.Queue has no close(); Chan models the kernel's (Go's)."""


EXC = {"E1": E1, "E2": E2, "TIMEOUT": TimeoutError, "CANCELLED": asyncio.CancelledError,
       "PIPE": ChannelClosed, "EXIT": GeneratorExit}


def ename(e):
    return type(e).__name__


class Deadlock(Exception):
    pass


class _VirtualSelector(selectors.SelectSelector):
    """Never blocks: a wait for the next timer moves the virtual clock to it instead."""

    def __init__(self, loop):
        super().__init__()
        self.loop = loop

    def select(self, timeout=None):
        if timeout is None:
            raise Deadlock()
        self.loop.now += timeout
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock (in ticks) advances only when nothing is ready, to the next
    timer. It records the hazards (docs/python.md) it can see: timers that fire too close
    together (here), cancels that the kernel would deliver elsewhere (_Task.cancel); the
    channels (Chan) and statements record the others."""

    def __init__(self, gap=0):
        self.now = 0.0
        self.gap = gap           # ticks that must separate two timers, besides the first
        super().__init__(_VirtualSelector(self))
        self.set_task_factory(lambda loop, coro, **kw: _Task(coro, loop=loop, **kw))
        self.set_exception_handler(lambda loop, ctx: None)   # unretrieved task errors
        self.reset()

    def reset(self):
        self.now = 0.0
        self.awaiting = {}       # task -> the tasks its join, waitfor, gather, waitany waits for
        self.fired = set()
        self.hazards = []

    def time(self):
        return self.now

    def hazard(self, what):
        self.hazards.append(what)

    def call_at(self, when, callback, *args, context=None):
        def fire(*a):
            if any(abs(self.now - t) <= self.gap for t in self.fired):
                self.hazard("two timers within %d tick(s) at tick %d" % (self.gap + 1, self.now))
            self.fired.add(self.now)
            callback(*a)
        return super().call_at(when, fire, *args, context=context)


def blocked(task):
    """Whether task is suspended in a wait that nothing has ended yet."""
    w = task._fut_waiter
    return w is not None and not w.done()


def shielded(task):
    """Why task's current wait would not end by a cancel in the kernel (a wait that
    k_wait_for, k_gather or k_cond_wait make with k_cancel_shield), or None."""
    names, c = [], task.get_coro()
    while c is not None and hasattr(c, "cr_code"):          # the chain of awaits
        names.append((c.cr_code.co_name, os.path.basename(c.cr_code.co_filename)))
        c = c.cr_await
    if ("_cancel_and_wait", "tasks.py") in names:
        return "wait_for's wait for the task it cancelled"
    if ("wait", "locks.py") in names and ("acquire", "locks.py") in names:
        return "Condition.wait's new acquire of the lock"
    w = task._fut_waiter
    if isinstance(w, asyncio.Future) and getattr(w, "_cancel_requested", False):
        return "a gather already cancelled"
    return None


class _Task(asyncio.Task):
    def cancel(self, msg=None):
        # the kernel delivers a cancel to a task that is not blocked at its next wait,
        # asyncio at its current await (or before its first line)
        if not self.done():
            why = "not blocked" if not blocked(self) else shielded(self)
            awaited = self.get_loop().awaiting.get(self, ())
            if not why and any(t.done() for t in awaited):
                why = "in asyncio's extra turn after a task it waits for ended"
            if why:
                self.get_loop().hazard("cancel of %s: %s" % (self.get_name(), why))
        return super().cancel(msg)


class Chan(asyncio.Queue):
    """asyncio.Queue with the kernel channel's close(): waiting putters fail, waiting getters
    fail once the queue is empty, later puts fail, later gets drain what is left and fail.
    Records the hazards where the kernel's direct hand-over of messages differs from
    asyncio's wake-then-retry: an operation while a woken putter or getter has not run yet,
    and a join or task_done while a put waits (the kernel counts a waiting put's message as
    unfinished)."""

    def __init__(self, loop, cap):
        super().__init__(cap)
        self.loop = loop
        self.closed = False
        self.putters, self.getters, self.joiners = set(), set(), set()   # tasks inside

    def _check(self, what):
        if any(blocked_done(t) for t in self.putters | self.getters):
            self.loop.hazard("%s while a woken waiter has not run" % what)

    async def _inside(self, tasks, coro):
        me = asyncio.current_task()
        tasks.add(me)
        try:
            return await coro
        finally:
            tasks.discard(me)

    async def cput(self, v):
        self._check("put")
        if self.closed:
            raise ChannelClosed()
        if self.full() and self.joiners:
            self.loop.hazard("a put waits while a join waits")
        return await self._inside(self.putters, self.put(v))

    async def cget(self):
        self._check("get")
        if self.closed and self.empty():
            raise ChannelClosed()
        return await self._inside(self.getters, self.get())

    def ctask_done(self):
        if self.putters:
            self.loop.hazard("a task_done while a put waits")
        self.task_done()

    async def cjoin(self):
        if self.putters:
            self.loop.hazard("a join while a put waits")
        await self._inside(self.joiners, self.join())

    def close(self):
        self._check("close")
        if self.closed:
            return
        self.closed = True
        for f in list(self._putters):
            if not f.done():
                f.set_exception(ChannelClosed())
        if self.empty():
            for f in list(self._getters):
                if not f.done():
                    f.set_exception(ChannelClosed())


def blocked_done(task):
    """A task whose wait has ended (woken) but which has not run since."""
    w = task._fut_waiter
    return w is not None and w.done()


class _Return:
    def __init__(self, v):
        self.v = v


class Interp:
    """Runs one program on a VirtualLoop; self.lines is its trace."""

    def __init__(self, prog, loop):
        self.p, self.loop = prog, loop
        self.lines = []
        self.tasks = {}          # n -> asyncio.Task
        self.ended = set()       # tasks that have printed their exit line
        self.collected = set()   # tasks joined (the C side has freed them)
        self.events = [asyncio.Event() for _ in range(MAX_EVENTS)]
        self.locks = [asyncio.Lock() for _ in range(MAX_LOCKS)]
        self.conds = [asyncio.Condition() for _ in range(MAX_CONDS)]
        self.chans = {q: Chan(loop, cap) for q, cap in prog.chans.items()}
        self.gens = {}
        for g in sorted(prog.gens):
            self.gens[g] = self.gen_body(g)
        self.quiet = False

    def out(self, text):
        if not self.quiet:
            self.lines.append("%d %s %s" % (self.loop.now, asyncio.current_task().get_name(), text))

    # --- tasks ---------------------------------------------------------------------------
    async def main(self):
        asyncio.current_task().set_name("T0")
        self.tasks[0] = asyncio.current_task()
        await self.task_body(0)
        # the epilogue: cancel and join what is left, close the generators
        for n in range(1, MAX_TASKS):
            if n in self.tasks and n not in self.collected:
                self.tasks[n].cancel()
                try:
                    await asyncio.shield(self.tasks[n])
                except BaseException:
                    pass
        for g in sorted(self.gens):
            try:
                self.gen_op("gclose", g, None)
            except BaseException:
                pass
        self.out("done")
        self.quiet = True

    async def task_body(self, n):
        try:
            r = await self.block(self.p.tasks.get(n, []))
        except BaseException as e:
            self.out("exit = %s" % ename(e))
            self.ended.add(n)
            if n == 0:
                return None
            raise
        v = r.v if r else 0
        self.out("exit = ok %d" % v)
        self.ended.add(n)
        return v

    async def held(self, lk, what, t, release, block):
        """`lock` and `with`: acquire lk within t ticks, run the block, release (apps/
        diffrun.c's locked())."""
        await self.timed(what, t, lk.acquire)
        self.out("%s = ok" % what)
        try:
            return await self.block(block)
        finally:
            lk.release()
            self.out(release)

    async def block(self, stmts):
        for s in stmts:
            r = await self.stmt(s)
            if r is not None:
                return r
        return None

    async def timed(self, label, t, make):
        """Await make() (a fresh awaitable) within t ticks (0: forever); print the error it
        raises, if any, and raise it on."""
        try:
            if t:
                async with asyncio.timeout(t):
                    return await make()
            return await make()
        except BaseException as e:
            self.out("%s = %s" % (label, ename(e)))
            raise

    async def awaiting(self, tasks, label, t, make):
        """timed(), noting the tasks that the caller waits for (a cancel of the caller after
        one of them ended falls in asyncio's extra turn: a hazard)."""
        me = asyncio.current_task()
        self.loop.awaiting[me] = tasks
        try:
            return await self.timed(label, t, make)
        finally:
            del self.loop.awaiting[me]

    async def join(self, n, t):
        r = await self.awaiting([self.tasks[n]], "join T%d" % n, t, lambda: asyncio.shield(self.tasks[n]))
        self.collected.add(n)
        return r

    async def stmt(self, s):
        op, a = s.op, s.args
        if op == "spawn":
            self.tasks[a[0]] = asyncio.get_running_loop().create_task(self.task_body(a[0]), name="T%d" % a[0])
            self.out("spawn T%d" % a[0])
        elif op == "sleep":
            await self.timed("sleep %d" % a[0], 0, lambda: asyncio.sleep(a[0]))
            self.out("sleep %d = ok" % a[0])
        elif op == "yield":
            await self.timed("yield", 0, lambda: asyncio.sleep(0))
            self.out("yield = ok")
        elif op == "say":
            self.out("say %d" % a[0])
        elif op == "return":
            return _Return(a[0])
        elif op == "raise":
            raise EXC[a[0]]()
        elif op == "cancel":
            t = self.tasks.get(a[0])
            self.out("cancel T%d = %s" % (a[0], t.cancel() if t is not None else False))
        elif op == "join":
            self.out("join T%d = ok %d" % (a[0], await self.join(a[0], a[1])))
        elif op == "waitfor":
            me = asyncio.current_task()
            cancels = me.cancelling()
            try:
                v = await self.awaiting([self.tasks[a[0]]], "waitfor T%d" % a[0], 0,
                                        lambda: asyncio.wait_for(self.tasks[a[0]], a[1] or None))
            finally:
                self.collected.add(a[0])
                # (without a timeout wait_for is `await task`: the kernel does the same)
                if a[1] and me.cancelling() > cancels and sys.exc_info()[0] is not asyncio.CancelledError:
                    self.loop.hazard("wait_for with a timeout returned the outcome of a task "
                                     "that ended before its cancelled caller resumed")
            self.out("waitfor T%d = ok %d" % (a[0], v))
        elif op == "gather":
            return await self.gather(a[0], a[1:])
        elif op == "waitany":
            await self.waitany(a[0], a[1:])
        elif op == "evset":
            self.events[a[0]].set()
            self.out("evset E%d" % a[0])
        elif op == "evclear":
            self.events[a[0]].clear()
            self.out("evclear E%d" % a[0])
        elif op == "evwait":
            await self.timed("evwait E%d" % a[0], a[1], self.events[a[0]].wait)
            self.out("evwait E%d = ok" % a[0])
        elif op == "lock":
            return await self.held(self.locks[a[0]], "lock L%d" % a[0], a[1],
                                   "unlock L%d" % a[0], s.blocks[0])
        elif op == "with":
            return await self.held(self.conds[a[0]], "with C%d" % a[0], 0,
                                   "release C%d" % a[0], s.blocks[0])
        elif op == "cwait":
            await self.timed("cwait C%d" % a[0], a[1], self.conds[a[0]].wait)
            self.out("cwait C%d = ok" % a[0])
        elif op == "notify":
            self.conds[a[0]].notify(1)
            self.out("notify C%d" % a[0])
        elif op == "notifyall":
            self.conds[a[0]].notify_all()
            self.out("notifyall C%d" % a[0])
        elif op == "put":
            q = self.chans[a[0]]
            await self.timed("put Q%d %d" % (a[0], a[1]), a[2], lambda: q.cput(a[1]))
            self.out("put Q%d %d = ok" % (a[0], a[1]))
        elif op == "get":
            q = self.chans[a[0]]
            v = await self.timed("get Q%d" % a[0], a[1], q.cget)
            self.out("get Q%d = ok %d" % (a[0], v))
        elif op == "taskdone":
            try:
                self.chans[a[0]].ctask_done()
                self.out("taskdone Q%d = ok" % a[0])
            except ValueError as e:
                self.out("taskdone Q%d = %s" % (a[0], ename(e)))
        elif op == "qjoin":
            await self.timed("qjoin Q%d" % a[0], a[1], self.chans[a[0]].cjoin)
            self.out("qjoin Q%d = ok" % a[0])
        elif op == "close":
            self.chans[a[0]].close()
            self.out("close Q%d" % a[0])
        elif op in ("next", "send", "throw", "gclose"):
            self.gen_op(op, a[0], a[1] if len(a) > 1 else None)
        elif op == "try":
            return await self.try_(s, self.block)
        else:
            raise AssertionError(op)
        return None

    async def try_(self, s, run):
        try:
            return await run(s.blocks[0])
        except tuple(EXC[e] for e in s.args) as e:
            if isinstance(e, asyncio.CancelledError):
                asyncio.current_task().uncancel()   # handled: later timeouts work again
            self.out("catch %s" % ename(e))
        return await run(s.blocks[1])

    async def gather(self, rx, ns):
        label = "gather " + " ".join("T%d" % n for n in ns)
        try:
            tasks = [self.tasks[n] for n in ns]
            res = await self.awaiting(tasks, label, 0, lambda: asyncio.gather(*tasks, return_exceptions=bool(rx)))
        finally:
            # the kernel joins (frees) the tasks that have finished
            self.collected.update(n for n in ns if self.tasks[n].done())
        self.out("%s = ok %s" % (label, ",".join(ename(r) if isinstance(r, BaseException) else str(r)
                                                 for r in res)))

    async def waitany(self, t, ns):
        label = "waitany " + " ".join("T%d" % n for n in ns)
        tasks = [self.tasks[n] for n in ns]
        first = []                   # the tasks done when the first one finished

        def note(_):
            if not first:
                first.append([n for n, tk in zip(ns, tasks) if tk.done()])
        before = [n for n, tk in zip(ns, tasks) if tk.done()]
        for tk in tasks:
            tk.add_done_callback(note)
        try:
            done, _ = await self.awaiting(tasks, label, 0, lambda: asyncio.wait(
                tasks, timeout=t or None, return_when=asyncio.FIRST_COMPLETED))
        finally:
            for tk in tasks:
                tk.remove_done_callback(note)
        won = [n for n, tk in zip(ns, tasks) if tk in done]
        seen = before or (first[0] if first else [])
        if won and won[0] != seen[0]:
            self.loop.hazard("waitany: another task finished during asyncio's extra hop")
        self.out("%s = done %s" % (label, "T%d" % won[0] if won else "none"))

    # --- generators ------------------------------------------------------------------------
    def gen_op(self, op, g, arg):
        """next, send, throw, gclose on G g, from a task: print what it did; raise what it
        raised (other than StopIteration and the misuse errors, which are outcomes)."""
        gen = self.gens[g]
        label = "%s G%d%s" % (op, g, "" if arg is None else " %s" % arg)
        exhausted = inspect.getgeneratorstate(gen) == inspect.GEN_CLOSED
        try:
            if op == "next":
                y = next(gen)
            elif op == "send":
                y = gen.send(arg)
            elif op == "throw":
                y = gen.throw(EXC[arg]())
            else:
                gen.close()
                self.out(label + " = ok")
                return
            self.out("%s = yield %d" % (label, y))
        except StopIteration as e:
            self.out("%s = %s" % (label, "StopIteration" if exhausted else "return %d" % (e.value or 0)))
        except (TypeError, ValueError, RuntimeError) as e:
            self.out("%s = %s" % (label, ename(e)))
        except BaseException as e:
            self.out("%s = raise %s" % (label, ename(e)))
            raise

    def gen_body(self, g):
        """Generator G g: the body compiled to one Python generator function, so that every
        yield, try and return is the real thing in a single frame (nested helper
        generators would close differently: PEP 380 closes a subiterator, not throws)."""
        src = ["def body():", "    if False:", "        yield  # a generator even without a yield statement"]
        self._gsrc(g, self.p.gens[g], 1, src)
        src.append("    return 0")
        ns = {"out": self.out, "ename": ename, "EXC": EXC, "gens": self.gens}
        exec("\n".join(src), ns)
        return ns["body"]()

    def _gsrc(self, g, stmts, depth, src):
        pad = "    " * depth
        add = lambda *lines: src.extend(pad + l for l in lines)
        for s in stmts:
            op, a = s.op, s.args
            if op in ("yield", "yieldfrom"):
                what, expr = (("G%d yield %d" % (g, a[0]), "yield %d" % a[0]) if op == "yield" else
                              ("G%d yieldfrom G%d" % (g, a[0]), "yield from gens[%d]" % a[0]))
                add("try:", "    x = %s" % expr, "except BaseException as e:",
                    "    out('%s = ' + ename(e))" % what, "    raise",
                    "out('%s = ok %%d' %% (x or 0))" % what)
            elif op == "say":
                add("out('say %d')" % a[0])
            elif op == "return":
                add("return %d" % a[0])
            elif op == "raise":
                add("raise EXC['%s']()" % a[0])
            else:
                add("try:")
                self._gsrc(g, s.blocks[0], depth + 1, src)
                add("    pass", "except (%s,) as e:" % ", ".join("EXC['%s']" % e for e in a),
                    "    out('catch ' + ename(e))")
                self._gsrc(g, s.blocks[1], depth + 1, src)
                add("    pass")


class Runner:
    """Runs programs one after the other on one VirtualLoop (a new one after a failure).
    gap: timers closer than gap + 1 ticks are a hazard (a board's real clock wants 1)."""

    def __init__(self, gap=0):
        self.loop = None
        self.gap = gap

    def run(self, prog):
        """Return (trace lines, hazards). A generator left suspended by a close that it
        ignored is closed again when it is freed; that RuntimeError is not printed."""
        sys.unraisablehook = lambda unraisable: None
        if self.loop is None:
            self.loop = VirtualLoop(self.gap)
        loop = self.loop
        loop.reset()
        it = Interp(prog, loop)
        task = loop.create_task(it.main())
        try:
            loop.run_until_complete(task)
        except Deadlock:
            loop.hazard("deadlock")
        it.quiet = True
        if loop.hazards or loop._scheduled and any(not h.cancelled() for h in loop._scheduled):
            hazards = loop.hazards or ["timers left"]
            self.close()
            return it.lines, hazards
        return it.lines, []

    def close(self):
        if self.loop is not None:
            for t in asyncio.all_tasks(self.loop):
                t.cancel()
            self.loop.close()
            self.loop = None


if __name__ == "__main__":
    r = Runner()
    lines, hz = r.run(parse(open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()))
    print("\n".join(lines))
    if hz:
        print("hazards:", hz)
