"""The demo's wakefd-shm hop: echo every message of one shared-memory channel into another.

python3 shm_hop.py SOCKET_PATH: connects twice to the demo's Unix socket, takes a receiver
(the demo created the sender) and a sender, prints "ready", then sends back whatever arrives
until the demo closes its sender (end of stream).
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wakefd_shm as shm  # noqa: E402  (shipped in wakefd-shm's jar, written next to this file)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def main():
    path = sys.argv[1]
    rx = shm.accept_receiver(connect(path), timeout=20)
    tx = shm.accept_sender(connect(path), timeout=20)
    print("ready", flush=True)
    while (m := rx.receive()) is not None:
        tx.send(m)
    tx.close()
    rx.close()


if __name__ == "__main__":
    main()
