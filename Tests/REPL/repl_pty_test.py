#!/usr/bin/env python3
"""Drives `oe repl` through a pseudo-terminal as a person would: an expression and its value,
recall with the up arrow, Tab completion, a multi-line function, Ctrl-C in an endless loop and at
the prompt,
.orders as a table, history kept, Ctrl-D to quit. Usage: repl_pty_test.py PATH/TO/oe"""
import os
import pty
import re
import select
import sys
import tempfile
import time

oe = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="oe-repl-")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


env = dict(os.environ, HOME=tmp, TERM="xterm", OE_HISTORY=os.path.join(tmp, "history"))
env.pop("NO_COLOR", None)
pid, fd = pty.fork()
if pid == 0:
    os.execve(oe, [oe, "repl", "--db", os.path.join(tmp, "shop.sqlite")], env)

screen = ""


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def read_until(pattern, timeout=15):
    """Reads output until `pattern` (regex) appears after the current mark (with terminal
    escape sequences removed); returns that text."""
    global screen
    start = len(screen)
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = ANSI.sub("", screen[start:])
        if re.search(pattern, text):
            return text
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            screen += data.decode("utf-8", "replace")
    return None


def send(s):
    os.write(fd, s.encode())


check(read_until(r"oe> ") is not None, "the prompt appears")
check("database" in screen and "shop.sqlite" in screen, "says which database it opened")

send("40 + 2\r")
check(read_until(r"42\r?\n.*oe> ") is not None, "an expression prints its value")

send("\x1b[A")  # up arrow recalls the last line
check(read_until(r"40 \+ 2") is not None, "up arrow recalls the line")
send("\r")
check(read_until(r"42\r?\n.*oe> ") is not None, "the recalled line runs")

send("oe.orders.cr\t")  # unique: completes to oe.orders.create
# libedit redraws the line: "oe.orders.cr" then a cursor move and the completed "eate".
got = read_until(r"oe\.orders\.cr[\x07\r]*eate")
check(got is not None, "Tab completes oe.orders.cr: %r" % (screen[-200:],))
send("{customer = {name = 'Ib Holm', email = 'ib@example.dk'}, lines = {{sku = 'A', name = 'Kaffe', qty = 1, unit_price = 17900}}}.order\r")
check(read_until(r"\b1\r?\n.*oe> ") is not None, "created order 1")

send("oe.returns.rec\t")  # unique: completes to oe.returns.receive (issue 14)
got = read_until(r"oe\.returns\.rec[\x07\r]*eive")
check(got is not None, "Tab completes oe.returns.rec: %r" % (screen[-200:],))
send("(99)\r")
check(read_until(r"return 99 does not exist") is not None, "oe.returns.receive runs return.receive: %r" % (screen[-200:],))

send("function sq(x)\r")
check(read_until(r"\.\.> ") is not None, "an incomplete chunk continues on ..>")
send("  return x * x\r")
send("end\r")
check(read_until(r"oe> ") is not None, "the function is defined")
send("sq(7)\r")
check(read_until(r"49\r?\n.*oe> ") is not None, "the multi-line function works")

send("while true do end\r")
time.sleep(0.5)
send("\x03")  # Ctrl-C
check(read_until(r"interrupted[\s\S]*oe> ", timeout=10) is not None, "Ctrl-C stops the loop and the prompt returns")
send("2 + 3\r")
check(read_until(r"5\r?\n.*oe> ") is not None, "the session goes on after Ctrl-C")

send("nosuch.field\r")
check(read_until(r"error\[script\][\s\S]*oe> ") is not None, "a Lua error prints and the session goes on")

send("1 + ")  # Ctrl-C at the prompt drops the half-typed line (and a pending chunk), as a shell does
send("\x03")
check(read_until(r"\^C\r?\n.*oe> ") is not None, "Ctrl-C at the prompt clears the line")
send("for i = 1, 2 do\r")
check(read_until(r"\.\.> ") is not None, "a chunk is pending")
send("\x03")
check(read_until(r"\^C\r?\n.*oe> ") is not None, "Ctrl-C drops the pending chunk too")
send("6 * 7\r")
check(read_until(r"42\r?\n.*oe> ") is not None, "the session goes on after Ctrl-C at the prompt")

send(".orders\r")
out = read_until(r"orders\)[\s\S]*oe> ")
check(out is not None and "│" in out and "Ib Holm" in out, ".orders shows a box-drawn table: %r" % (out,))

send("\x04")  # Ctrl-D
_, status = os.waitpid(pid, 0)
check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "Ctrl-D quits with status 0")
hist = open(os.path.join(tmp, "history"), encoding="utf-8", errors="replace").read() if os.path.exists(os.path.join(tmp, "history")) else ""
check("40 + 2" in hist.replace("\\040", " "), "history is kept in OE_HISTORY")  # libedit writes spaces as \040

print(f"{passed} passed, {failed} failed")
if failed:
    print("---- screen ----\n" + screen[-3000:], file=sys.stderr)
sys.exit(1 if failed else 0)
