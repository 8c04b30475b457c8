package dev.wakefd.ipc.internal;

import dev.wakefd.internal.Errno;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import dev.wakefd.internal.Poll;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * AF_UNIX stream sockets: socket, bind, chmod, listen, accept4, connect, getsockopt(SO_PEERCRED),
 * shutdown, and poll for bounded waits. Blocking calls, no policy;
 * the caller keeps the fd open for the whole call. Passing fds over them is {@link ScmRights}.
 */
public final class UnixSockets {
    private UnixSockets() {}

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;

    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = FdCalls.O_CLOEXEC;
    static final int SOL_SOCKET = 1, SO_PEERCRED = 17;
    static final long SUN_PATH_MAX = 108;

    /** A blocking libc call with errno captured, through wakefd-core's one linker place. */
    static MethodHandle h(String name, FunctionDescriptor d) {
        return Native.downcall(name, d, false);
    }

    private static final MethodHandle SOCKET = h("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle BIND = h("bind", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle LISTEN = h("listen", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle ACCEPT4 = h("accept4", FunctionDescriptor.of(I, I, P, P, I));
    private static final MethodHandle CONNECT = h("connect", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle SENDMSG = h("sendmsg", FunctionDescriptor.of(J, I, P, I));
    private static final MethodHandle RECVMSG = h("recvmsg", FunctionDescriptor.of(J, I, P, I));
    private static final MethodHandle GETSOCKOPT = h("getsockopt", FunctionDescriptor.of(I, I, I, I, P, P));
    private static final MethodHandle CHMOD = h("chmod", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle SHUTDOWN = h("shutdown", FunctionDescriptor.of(I, I, I));

    /** shutdown(fd, SHUT_RDWR): wakes threads blocked in accept or recvmsg on it. Errors ignored. */
    public static void shutdown(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(capture(a), fd, 2);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int errno(MemorySegment capture) {
        return Native.errnoOf(capture);
    }

    static MemorySegment capture(Arena a) {
        return a.allocate(Native.captureSize(), 8);
    }

    static IOException fail(String call, MemorySegment capture) {
        return Errno.exception(call, errno(capture));
    }

    /**
     * Waits until {@code fd} is readable (a message, EOF, or for a listener a pending connection),
     * at most {@code millis} ms (-1: no limit). Returns false on timeout. EINTR retries with the
     * time left.
     */
    public static boolean awaitReadable(int fd, long millis) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(millis, 0));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(Poll.POLLFD_SIZE, 4);
            MemorySegment c = capture(a);
            while (true) {
                int wait = millis < 0
                        ? -1
                        : (int) Math.min(
                                Integer.MAX_VALUE,
                                Math.max(
                                        0,
                                        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(
                                                deadline - System.nanoTime() + 999_999)));
                Poll.set(pfd, 0, fd, Poll.POLLIN);
                int r = Poll.poll(pfd, 1, wait, c);
                if (r > 0) {
                    return true; // POLLIN, or POLLHUP/POLLERR, which the following call reports
                }
                if (r == 0 && millis >= 0 && deadline - System.nanoTime() <= 0) {
                    return false;
                }
            }
        }
    }

    /** A new, close-on-exec AF_UNIX stream socket. */
    public static int socket() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = capture(a);
            int fd = (int) SOCKET.invokeExact(c, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw fail("socket", c);
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** sockaddr_un for a path, or for a name in the abstract namespace when {@code abstractName}. */
    static MemorySegment address(Arena a, String name, boolean abstractName) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        long max = SUN_PATH_MAX - 1;
        if (bytes.length == 0 || bytes.length > max) {
            throw new IllegalArgumentException("socket name \"" + name + "\": must be 1.." + max
                    + " bytes (sun_path holds 108, with a terminating or leading NUL)");
        }
        MemorySegment sa = a.allocate(2 + SUN_PATH_MAX);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        int off = abstractName ? 3 : 2;
        MemorySegment.copy(bytes, 0, sa, ValueLayout.JAVA_BYTE, off, bytes.length);
        return sa.asSlice(0, abstractName ? 3 + bytes.length : 2 + bytes.length + 1);
    }

    public static void bind(int fd, String name, boolean abstractName) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = address(a, name, abstractName);
            MemorySegment c = capture(a);
            if ((int) BIND.invokeExact(c, fd, sa, (int) sa.byteSize()) < 0) {
                throw fail("bind(" + name + ")", c);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void chmod(String path, int mode) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = capture(a);
            if ((int) CHMOD.invokeExact(c, a.allocateFrom(path), mode) < 0) {
                throw fail("chmod(" + path + ")", c);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void listen(int fd, int backlog) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = capture(a);
            if ((int) LISTEN.invokeExact(c, fd, backlog) < 0) {
                throw fail("listen", c);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Blocks until a peer connects; the new socket is close-on-exec. */
    public static int accept(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = capture(a);
            while (true) {
                int r = (int) ACCEPT4.invokeExact(c, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (r >= 0) {
                    return r;
                }
                if (errno(c) != Errno.EINTR) {
                    throw fail("accept4", c);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void connect(int fd, String name, boolean abstractName) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = address(a, name, abstractName);
            MemorySegment c = capture(a);
            if ((int) CONNECT.invokeExact(c, fd, sa, (int) sa.byteSize()) < 0) {
                throw fail("connect(" + name + ")", c);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The peer's {pid, uid, gid} as the kernel recorded them at connect time. */
    public static int[] peerCredentials(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = capture(a);
            MemorySegment cred = a.allocate(12, 4);
            MemorySegment len = a.allocate(I);
            len.set(I, 0, 12);
            if ((int) GETSOCKOPT.invokeExact(c, fd, SOL_SOCKET, SO_PEERCRED, cred, len) < 0) {
                throw fail("getsockopt(SO_PEERCRED)", c);
            }
            return new int[] {cred.get(I, 0), cred.get(I, 4), cred.get(I, 8)};
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
