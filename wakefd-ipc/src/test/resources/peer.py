"""A foreign peer for wakefd's tests, stdlib only. Usage: peer.py MODE SOCKET_PATH [ARGS]
  wait-asyncio N  : receive an eventfd, wait on it in an asyncio loop (add_reader) until the
                    counts read add up to N, print "woke <total>"
  send-eventfd N  : create an eventfd, send it, then write N to it, print "sent"
  send-two        : send two eventfds in one message
  send-many K     : send K eventfds in one message (more than the receiver has room for)
  send-semaphore N: send a semaphore-mode eventfd holding N
  send-then-exit N: send an eventfd holding N and exit at once (the fd is in flight)
  send-data-only  : send payload bytes with no fd
  send-pipe       : send a pipe's read end
  hang-up         : connect and close without sending
  linger          : connect and wait (to be killed)
  unread-close    : wait for a line on stdin, then close with the receiver's byte unread
  expect-nothing  : print what one recv_fds brought ("got <fds> fds, <bytes> bytes")
"""
import asyncio, os, socket, sys

mode, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
print("connected", flush=True)

if mode == "wait-asyncio":
    want = int(sys.argv[3])
    msg, fds, flags, addr = socket.recv_fds(s, 1, 1)
    fd = fds[0]
    os.set_blocking(fd, False)

    async def main():
        loop = asyncio.get_running_loop()
        got = 0
        done = loop.create_future()

        def readable():
            nonlocal got
            try:
                got += os.eventfd_read(fd)
            except BlockingIOError:
                return
            if got >= want and not done.done():
                done.set_result(got)

        loop.add_reader(fd, readable)
        print("waiting", flush=True)
        total = await asyncio.wait_for(done, 60)
        print("woke", total, flush=True)

    asyncio.run(main())
elif mode == "send-eventfd":
    n = int(sys.argv[3])
    fd = os.eventfd(0, os.EFD_CLOEXEC)
    socket.send_fds(s, [b"W"], [fd])
    s.recv(1)  # wait for the Java side to say it holds the fd
    os.eventfd_write(fd, n)
    print("sent", flush=True)
elif mode == "send-two":
    a, b = os.eventfd(0), os.eventfd(0)
    socket.send_fds(s, [b"W"], [a, b])
elif mode == "send-many":
    fds = [os.eventfd(0) for _ in range(int(sys.argv[3]))]
    socket.send_fds(s, [b"W"], fds)
elif mode == "send-semaphore":
    fd = os.eventfd(int(sys.argv[3]), os.EFD_SEMAPHORE | os.EFD_CLOEXEC)
    socket.send_fds(s, [b"W"], [fd])
elif mode == "send-then-exit":
    fd = os.eventfd(int(sys.argv[3]), os.EFD_CLOEXEC)
    socket.send_fds(s, [b"W"], [fd])
    os._exit(0)
elif mode == "send-data-only":
    s.sendall(b"hello")
elif mode == "linger":
    s.recv(1)
elif mode == "unread-close":
    sys.stdin.readline()
elif mode == "expect-nothing":
    msg, fds, flags, addr = socket.recv_fds(s, 16, 4)
    print("got", len(fds), "fds,", len(msg), "bytes", flush=True)
elif mode == "send-pipe":
    r, w = os.pipe()
    socket.send_fds(s, [b"W"], [r])
elif mode == "hang-up":
    pass
s.close()
