"""The Python asyncio hop of `wakefd demo` (stdlib only, Python 3.9+).

argv: SOCKET_PATH LAPS. Connects to the demo's Unix socket and receives two eventfds with
socket.recv_fds (inbound, then outbound). Waits on the inbound one with loop.add_reader; on each
wake it reads the count, notes time.monotonic_ns() (CLOCK_MONOTONIC, the clock behind Java's
System.nanoTime() on Linux) and writes 1 to the outbound one. After LAPS wakes it prints the
times on one line and exits. If the Java side goes away, it stops with an error.
"""
import asyncio
import os
import socket
import struct
import sys
import time

path, laps = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)


def receive_fd():
    msg, fds, flags, addr = socket.recv_fds(sock, 1, 4)
    if len(fds) != 1:
        sys.exit("expected one fd in the message, got %d" % len(fds))
    return fds[0]


fd_in, fd_out = receive_fd(), receive_fd()
ONE = struct.pack("=Q", 1)
times = []


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def readable():
        try:
            n = struct.unpack("=Q", os.read(fd_in, 8))[0]
        except BlockingIOError:
            return  # not ours after all: wait on
        times.append(time.monotonic_ns())
        if n != 1 and not done.done():
            done.set_exception(RuntimeError("read a count of %d, expected the one wake" % n))
            return
        os.write(fd_out, ONE)
        if len(times) == laps and not done.done():
            done.set_result(None)

    def hung_up():
        # The Java side sends nothing after the fds, so readable means it closed the socket.
        if not done.done():
            done.set_exception(RuntimeError("the Java side closed the socket after %d laps" % len(times)))

    loop.add_reader(fd_in, readable)
    loop.add_reader(sock.fileno(), hung_up)
    print("ready", flush=True)
    await done
    loop.remove_reader(fd_in)
    loop.remove_reader(sock.fileno())


asyncio.run(main())
print("times", *times, flush=True)
