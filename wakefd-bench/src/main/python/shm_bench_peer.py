"""Python child of dev.wakefd.bench.shm.ShmBench: MODE NAME_OR_PATH [size seconds].

py-shm-sink / py-socket-sink: count messages until one whose first byte is 1, answer "DONE n", repeat.
py-shm-echo / py-socket-echo: send every message back.
py-shm-send / py-socket-send: send `size`-byte messages for `seconds`, then a stop message.
Socket frames are a u32 little-endian length and the payload, as on the Java side.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.environ["WAKEFD_SHM_PYTHON"])
import wakefd_shm as shm  # noqa: E402


def shm_connect(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\0" + name)
    return s


def sock_connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def recv_exact(s, n):
    b = bytearray()
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            return None
        b += chunk
    return bytes(b)


def main():
    mode, where = sys.argv[1], sys.argv[2]
    if mode == "py-shm-sink":
        rx = shm.accept_receiver(shm_connect(where), 60)
        print("READY", flush=True)
        n = 0
        while (batch := rx.receive_many()) is not None:
            for m in batch:
                n += 1
                if m[0] == 1:
                    print("DONE %d" % n, flush=True)
                    n = 0
    elif mode == "py-socket-sink":
        s = sock_connect(where)
        print("READY", flush=True)
        buf = bytearray()
        n = 0
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                return
            buf += chunk
            pos = 0
            while len(buf) - pos >= 4:
                (length,) = struct.unpack_from("<I", buf, pos)
                if len(buf) - pos < 4 + length:
                    break
                tag = buf[pos + 4] if length else 0
                pos += 4 + length
                n += 1
                if tag == 1:
                    print("DONE %d" % n, flush=True)
                    n = 0
            del buf[:pos]
    elif mode == "py-shm-echo":
        rx = shm.accept_receiver(shm_connect(where), 60)
        tx = shm.accept_sender(shm_connect(where), 60)
        print("READY", flush=True)
        while (m := rx.receive()) is not None:
            tx.send(m)
        tx.close()
    elif mode == "py-socket-echo":
        s = sock_connect(where)
        print("READY", flush=True)
        while True:
            h = recv_exact(s, 4)
            if h is None:
                return
            (length,) = struct.unpack("<I", h)
            s.sendall(h + recv_exact(s, length))
    elif mode in ("py-shm-send", "py-socket-send"):
        size, seconds = int(sys.argv[3]), float(sys.argv[4])
        m = bytes(size)
        stop = b"\x01" + bytes(size - 1)
        end = time.monotonic() + seconds
        if mode == "py-shm-send":
            tx = shm.create_sender(shm_connect(where), 1 << 20)
            while time.monotonic() < end:
                for _ in range(256):
                    tx.send(m)
            tx.send(stop)
            tx.close()
        else:
            s = sock_connect(where)
            frame = struct.pack("<I", size) + m
            while time.monotonic() < end:
                for _ in range(256):
                    s.sendall(frame)  # one send(2) per message
            s.sendall(struct.pack("<I", size) + stop)
            s.close()
    else:
        print("unknown mode " + mode)
        sys.exit(2)


if __name__ == "__main__":
    main()
