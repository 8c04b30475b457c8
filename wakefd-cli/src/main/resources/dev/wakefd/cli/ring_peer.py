# The Python hop of `wakefd demo`: receives two eventfds over a Unix socket (socket.recv_fds),
# waits on the first in an asyncio loop (add_reader) and signals the second. Exits when the
# socket closes. Standard library only.
import asyncio, os, socket, sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
fds = []
while len(fds) < 2:
    _, got, _, _ = socket.recv_fds(s, 1, 1)
    fds += got
inp, out = fds
os.set_blocking(inp, False)


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def readable():
        try:
            os.eventfd_read(inp)
        except BlockingIOError:
            return  # another holder took it first
        os.eventfd_write(out, 1)

    def socket_closed():
        if not done.done():
            done.set_result(None)

    loop.add_reader(inp, readable)
    s.setblocking(False)
    loop.add_reader(s.fileno(), socket_closed)
    print("ready", flush=True)
    await done


asyncio.run(main())
