"""Runs a command in a pseudo-terminal of a given size and copies everything it shows to stdout.

Usage: python3 pty-run.py COLUMNS ROWS COMMAND [ARG...]

The command's stdin, stdout and stderr are the terminal (as in a real session), so it sees
isatty() true and the size set here before it starts. Its output arrives on our stdout exactly
as the terminal received it (escape codes, \\r, and \\r\\n for each line break), and we exit with
its exit code (128 + the signal when a signal ended it).
"""
import fcntl
import os
import pty
import struct
import sys
import termios

columns, rows = int(sys.argv[1]), int(sys.argv[2])
command = sys.argv[3:]

pid, fd = pty.fork()
if pid == 0:
    # The child's stdio is the terminal: size it before the command can ask.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    os.execvp(command[0], command)

out = sys.stdout.buffer
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: every writer of the terminal has gone
        break
    if not data:
        break
    out.write(data)
out.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
