# Signals an eventfd of another process (the JVM running the test), with the stdlib only:
# the fd is copied into this process with pidfd_getfd(2), then written with os.eventfd_write.
# argv: pid fd count. Writes (i % 7) + 1 for i in range(count). Exit 77 when the kernel refuses
# pidfd_getfd for lack of permission (ptrace access), 1 on any other failure.
import ctypes
import errno
import os
import sys

SYS_pidfd_getfd = 438  # x86-64

pid, target_fd, count = (int(a) for a in sys.argv[1:4])
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
pidfd = os.pidfd_open(pid)
fd = libc.syscall(SYS_pidfd_getfd, pidfd, target_fd, 0)
if fd < 0:
    err = ctypes.get_errno()
    print(f"pidfd_getfd({pid}, {target_fd}): {errno.errorcode.get(err, err)} ({os.strerror(err)})", file=sys.stderr)
    sys.exit(77 if err in (errno.EPERM, errno.EACCES) else 1)
for i in range(count):
    os.eventfd_write(fd, (i % 7) + 1)
os.close(fd)
os.close(pidfd)
print("done")
