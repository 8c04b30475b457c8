package dev.wakefd.ipc.internal;

import dev.wakefd.internal.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Passing fds over a connected AF_UNIX socket: sendmsg and recvmsg with one SCM_RIGHTS control
 * message. x86_64/aarch64 Linux layouts: {@code struct msghdr} is 56 bytes (iov at 16, iovlen
 * 24, control 32, controllen 40, flags 48), {@code struct cmsghdr} 16 (len, level, type), and
 * control messages are 8-byte aligned.
 */
public final class ScmRights {
    private ScmRights() {}

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    private static final ValueLayout P = ValueLayout.ADDRESS;

    static final int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8, MSG_CMSG_CLOEXEC = 0x40000000, MSG_NOSIGNAL = 0x4000;
    static final long MSGHDR = 56, CMSGHDR = 16;
    /** Payload bytes taken per message; a peer may send any payload with its fd. */
    static final long PAYLOAD = 256;

    private static final MethodHandle SENDMSG = UnixSockets.h(
            "sendmsg",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVMSG = UnixSockets.h(
            "recvmsg",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    static long align(long n) {
        return (n + 7) & ~7L;
    }

    /** Sends one byte of payload with one fd attached (SCM_RIGHTS). Never raises SIGPIPE. */
    public static void sendFd(int socket, int fdToSend, byte payload) throws IOException {
        sendFds(socket, new int[] {fdToSend}, payload);
    }

    /**
     * Sends one byte of payload with all of {@code fdsToSend} attached in one SCM_RIGHTS control
     * message, so the peer gets all of them or none. Never raises SIGPIPE.
     */
    public static void sendFds(int socket, int[] fdsToSend, byte payload) throws IOException {
        if (fdsToSend.length == 0) {
            throw new IllegalArgumentException("sendFds: no fds to send (at least 1 is needed)");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(1);
            data.set(ValueLayout.JAVA_BYTE, 0, payload);
            long bytes = 4L * fdsToSend.length;
            long space = CMSGHDR + align(bytes); // CMSG_SPACE(n * sizeof(int))
            MemorySegment control = a.allocate(space, 8);
            control.set(J, 0, CMSGHDR + bytes); // CMSG_LEN(n * sizeof(int))
            control.set(I, 8, SOL_SOCKET);
            control.set(I, 12, SCM_RIGHTS);
            for (int k = 0; k < fdsToSend.length; k++) {
                control.set(I, CMSGHDR + 4L * k, fdsToSend[k]);
            }
            MemorySegment msg = message(a, data, 1, control, space);
            MemorySegment c = UnixSockets.capture(a);
            while (true) {
                long r = (long) SENDMSG.invokeExact(c, socket, msg, MSG_NOSIGNAL);
                if (r == 1) {
                    return;
                }
                if (r < 0 && UnixSockets.errno(c) == Errno.EINTR) {
                    continue;
                }
                if (r < 0) {
                    throw UnixSockets.fail("sendmsg", c);
                }
                throw new IOException("sendmsg: sent " + r + " bytes, expected 1");
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MemorySegment message(Arena a, MemorySegment data, long len, MemorySegment control, long space) {
        MemorySegment iov = a.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, data);
        iov.set(J, 8, len);
        MemorySegment msg = a.allocate(MSGHDR, 8);
        msg.set(ValueLayout.ADDRESS, 16, iov);
        msg.set(J, 24, 1);
        msg.set(ValueLayout.ADDRESS, 32, control);
        msg.set(J, 40, space);
        return msg;
    }

    /**
     * What one recvmsg brought. {@code fds} are already open in this process (close-on-exec) and
     * owned by the caller, whatever else is wrong; {@code problem} is null or says what is.
     */
    public record Received(long bytes, int[] fds, int flags, String problem) {}

    /**
     * Receives one message with room for up to {@code maxFds} fds, close-on-exec
     * (MSG_CMSG_CLOEXEC, so no fork in between can leak them). Blocks until a message or EOF.
     */
    public static Received receive(int socket, int maxFds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(PAYLOAD);
            long space = CMSGHDR + align(4L * maxFds);
            MemorySegment control = a.allocate(space, 8);
            MemorySegment msg = message(a, data, PAYLOAD, control, space);
            MemorySegment c = UnixSockets.capture(a);
            long r;
            do {
                r = (long) RECVMSG.invokeExact(c, socket, msg, MSG_CMSG_CLOEXEC);
            } while (r < 0 && UnixSockets.errno(c) == Errno.EINTR);
            if (r < 0) {
                throw UnixSockets.fail("recvmsg", c);
            }
            long controlLen = msg.get(J, 40);
            Parsed p = parse(control, Math.min(controlLen, space));
            return new Received(r, p.fds(), msg.get(I, 48), p.problem());
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The fds in a control buffer and, if it is not one well-formed SCM_RIGHTS message, why. */
    public record Parsed(int[] fds, String problem) {}

    /**
     * Walks every cmsghdr in {@code control[0, len)} and collects every SCM_RIGHTS fd, so that the
     * caller can close them all even when the buffer is malformed; stops at the first header that
     * does not fit.
     */
    public static Parsed parse(MemorySegment control, long len) {
        List<Integer> fds = new ArrayList<>();
        String problem = null;
        long off = 0;
        while (off + CMSGHDR <= len) {
            long cmsgLen = control.get(J, off);
            if (cmsgLen < CMSGHDR || cmsgLen > len - off) {
                problem = "malformed control message at byte " + off + ": cmsg_len " + cmsgLen + " (must be " + CMSGHDR
                        + ".." + (len - off) + ")";
                break;
            }
            int level = control.get(I, off + 8), type = control.get(I, off + 12);
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                if ((cmsgLen - CMSGHDR) % 4 != 0 && problem == null) {
                    problem = "malformed SCM_RIGHTS message: " + (cmsgLen - CMSGHDR)
                            + " data bytes is not a whole number of fds";
                }
                for (long p = off + CMSGHDR; p + 4 <= off + cmsgLen; p += 4) {
                    fds.add(control.get(I, p));
                }
            } else if (problem == null) {
                problem = "unexpected control message (level " + level + ", type " + type + "), expected SCM_RIGHTS";
            }
            off += align(cmsgLen);
        }
        if (problem == null && off < len) {
            problem = "malformed control message: " + (len - off) + " trailing bytes";
        }
        return new Parsed(fds.stream().mapToInt(Integer::intValue).toArray(), problem);
    }
}
