package dev.wakefd.bench.shm;

import dev.wakefd.EventFd;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.shm.Shm;
import dev.wakefd.shm.ShmReceiver;
import dev.wakefd.shm.ShmSender;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The child process of {@link ShmBench}: {@code --peer MODE ARGS}. Sinks count messages until one
 * whose first byte is 1 and answer "DONE n" on stdout, again and again; echoes send every message
 * back; idle readers answer "GOT" after the first message and then wait. A first byte of 2 (Aeron)
 * or the end of the stream (shm, socket) ends the process.
 */
final class Peer {
    /**
     * The classes that hold the FFM downcall handles a wakefd-shm reader links (each links its
     * handles when initialized): core's holders are nested classes that its calls initialize on
     * first use, so they are named here, not their outer classes.
     */
    static final List<String> FFM_BINDINGS = List.of(
            "dev.wakefd.internal.FdCalls$H",
            "dev.wakefd.internal.EventFdCalls$H",
            "dev.wakefd.internal.Poll$H",
            "dev.wakefd.internal.EPoll$H",
            "dev.wakefd.internal.Syscall$H",
            "dev.wakefd.internal.Strerror$H",
            "dev.wakefd.ipc.internal.UnixSockets",
            "dev.wakefd.ipc.internal.Credentials",
            "dev.wakefd.shm.internal.Memfd");

    private Peer() {}

    static void main(String[] args) throws Exception {
        String mode = args[0];
        switch (mode) {
            case "shm-sink" -> {
                try (ShmReceiver rx = Shm.acceptReceiver(FdSocket.connectAbstract(args[1]), Duration.ofSeconds(60))) {
                    System.out.println("READY");
                    long[] n = {0};
                    boolean[] stop = {false};
                    while (rx.receiveViews(
                                    s -> {
                                        n[0]++;
                                        if (s.get(ValueLayout.JAVA_BYTE, 0) == 1) {
                                            stop[0] = true;
                                        }
                                    },
                                    4096)
                            >= 0) {
                        if (stop[0]) {
                            System.out.println(
                                    "DONE " + n[0] + " " + rx.wakes() + " " + rx.sleeps() + " " + rx.waits());
                            n[0] = 0;
                            stop[0] = false;
                        }
                    }
                }
            }
            case "shm-echo" -> {
                FdSocket a = FdSocket.connectAbstract(args[1]);
                ShmReceiver rx = Shm.acceptReceiver(a, Duration.ofSeconds(60));
                FdSocket b = FdSocket.connectAbstract(args[1]);
                ShmSender tx = Shm.acceptSender(b, Duration.ofSeconds(60));
                ShmBench.spin(tx, rx, args.length > 2 ? args[2] : null);
                System.out.println("READY");
                for (byte[] m; (m = rx.receive()) != null; ) {
                    tx.send(m);
                }
                tx.close();
                rx.close();
            }
            case "eventfd-echo" -> {
                FdSocket s = FdSocket.connectAbstract(args[1]);
                EventFd there = s.receive(Duration.ofSeconds(60)), back = s.receive(Duration.ofSeconds(60));
                System.out.println("READY");
                while (true) {
                    there.await();
                    back.signal();
                }
            }
            case "shm-idle" -> {
                try (ShmReceiver rx = Shm.acceptReceiver(FdSocket.connectAbstract(args[1]), Duration.ofSeconds(60))) {
                    System.out.println("READY");
                    rx.receive();
                    System.out.println("GOT");
                    rx.receive(); // blocks: the sleep being measured
                }
            }
            case "socket-sink" -> {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[1]))) {
                    System.out.println("READY");
                    while (true) {
                        long[] r = countFrames(ch, true);
                        if (r[0] < 0) {
                            return;
                        }
                        System.out.println("DONE " + r[0]);
                    }
                }
            }
            case "socket-echo" -> {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[1]))) {
                    System.out.println("READY");
                    ByteBuffer b = ByteBuffer.allocateDirect(4 + 65536).order(ByteOrder.LITTLE_ENDIAN);
                    while (true) {
                        b.clear().limit(4);
                        if (!fill(ch, b)) {
                            return;
                        }
                        int len = b.getInt(0);
                        b.limit(4 + len);
                        if (!fill(ch, b)) {
                            return;
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            ch.write(b);
                        }
                    }
                }
            }
            case "socket-idle" -> {
                if (args.length > 2) {
                    // The control reader (ShmBench.idleCpu): first links wakefd's kernel bindings as
                    // the shm reader's JVM does, then blocks in read(2) like the plain socket reader.
                    for (String c : FFM_BINDINGS) {
                        Class.forName(c, true, Peer.class.getClassLoader());
                    }
                }
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(args[1]));
                    System.out.println("READY");
                    ByteBuffer b = ByteBuffer.allocate(12);
                    fill(ch, b);
                    System.out.println("GOT");
                    b.clear();
                    ch.read(b); // blocks in read(2): the sleep being measured
                }
            }
            case "aeron-sink", "aeron-echo", "aeron-idle" -> aeron(mode, args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown peer mode " + mode);
        }
    }

    /** Reads until the buffer is full; false at end of stream. */
    static boolean fill(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Counts length-prefixed frames until one whose first payload byte is 1: {count, nanos of the
     * first frame, nanos of the last}; count -1 at end of stream.
     */
    static long[] countFrames(SocketChannel ch, boolean untilStop) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long n = 0, first = 0;
        while (true) {
            if (ch.read(b) < 0) {
                return new long[] {-1, first, System.nanoTime()};
            }
            if (first == 0) {
                first = System.nanoTime();
            }
            b.flip();
            while (b.remaining() >= 4) {
                int len = b.getInt(b.position());
                if (b.remaining() < 4 + len) {
                    break;
                }
                byte tag = len > 0 ? b.get(b.position() + 4) : 0;
                b.position(b.position() + 4 + len);
                n++;
                if (untilStop && tag == 1) {
                    return new long[] {n, first, System.nanoTime()}; // the stop frame is the last one sent
                }
            }
            b.compact();
        }
    }

    static void aeron(String mode, String dir, int stream) {
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
                Subscription sub = aeron.addSubscription("aeron:ipc", stream)) {
            ExclusivePublication pub =
                    mode.equals("aeron-echo") ? aeron.addExclusivePublication("aeron:ipc", stream + 500) : null;
            IdleStrategy idle = mode.equals("aeron-sink") ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
            // A sink busy-spins only within a round (from its first message to the stop): between
            // rounds it sleeps, so it does not burn one of the CPUs the other channels' rounds use.
            IdleStrategy between = mode.equals("aeron-sink") ? new SleepingMillisIdleStrategy(1) : idle;
            boolean[] active = {false};
            UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(65536));
            long[] n = {0};
            int[] state = {0}; // 1: stop seen, 2: quit, 3: got (idle)
            FragmentHandler h = (buf, off, len, hdr) -> {
                byte tag = buf.getByte(off);
                active[0] = true;
                if (tag == 2) {
                    state[0] = 2;
                    return;
                }
                n[0]++;
                if (pub != null) {
                    out.putBytes(0, buf, off, len);
                    while (pub.offer(out, 0, len) < 0) {
                        Thread.onSpinWait();
                    }
                } else if (tag == 1) {
                    state[0] = 1;
                } else if (mode.equals("aeron-idle") && n[0] == 1) {
                    state[0] = 3;
                }
            };
            while (!sub.isConnected() || (pub != null && !pub.isConnected())) {
                Thread.onSpinWait();
            }
            System.out.println("READY");
            while (state[0] != 2) {
                (active[0] ? idle : between).idle(sub.poll(h, 256));
                if (state[0] == 1) {
                    System.out.println("DONE " + n[0]);
                    n[0] = 0;
                    state[0] = 0;
                    active[0] = false;
                } else if (state[0] == 3) {
                    System.out.println("GOT");
                    state[0] = 0;
                }
            }
            if (pub != null) {
                pub.close();
            }
        }
    }
}
