package dev.wakefd.shm;

import dev.wakefd.ipc.FdSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java peer process of the cross-process tests: {@code JavaPeer MODE SOCKET_NAME [count seed maxLen]}.
 * Prints "OK n" when done. Modes: accept-recv, accept-send (the pattern of {@link Pattern}),
 * spam (numbered 64-byte messages until killed), sink (receives until killed), forget (receives one
 * message and returns from main without closing).
 */
public final class JavaPeer {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        FdSocket s = FdSocket.connectAbstract(args[1]);
        switch (mode) {
            case "accept-recv" -> {
                long count = Long.parseLong(args[2]);
                Pattern p = new Pattern(Long.parseLong(args[3]), Integer.parseInt(args[4]));
                try (ShmReceiver rx = Shm.acceptReceiver(s, Duration.ofSeconds(10))) {
                    while (rx.receiveMany(p::check, 4096) >= 0) {
                        // checked in the sink
                    }
                }
                if (p.count() != count) {
                    throw new AssertionError("received " + p.count() + " messages, expected " + count);
                }
                System.out.println("OK " + p.count());
            }
            case "accept-send" -> {
                long count = Long.parseLong(args[2]);
                Pattern p = new Pattern(Long.parseLong(args[3]), Integer.parseInt(args[4]));
                try (ShmSender tx = Shm.acceptSender(s, Duration.ofSeconds(10))) {
                    List<byte[]> batch = new ArrayList<>();
                    for (long i = 0; i < count; i++) {
                        batch.add(p.next());
                        if (batch.size() == 256) {
                            tx.sendMany(batch);
                            batch.clear();
                        }
                    }
                    tx.sendMany(batch);
                }
                System.out.println("OK " + count);
            }
            case "spam" -> {
                ShmSender tx = Shm.acceptSender(s, Duration.ofSeconds(10));
                System.out.println("READY");
                byte[] m = new byte[64];
                ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; ; i++) {
                    b.putLong(0, i);
                    tx.send(m);
                }
            }
            case "sink" -> {
                ShmReceiver rx = Shm.acceptReceiver(s, Duration.ofSeconds(10));
                System.out.println("READY");
                rx.receive(); // one message, then sits on a full ring until killed
                Thread.sleep(Long.MAX_VALUE);
            }
            case "forget" -> { // opens a channel and returns from main without closing it
                ShmReceiver rx = Shm.acceptReceiver(s, Duration.ofSeconds(10));
                System.out.println("READY");
                System.out.println("GOT " + new String(rx.receive()));
            }
            default -> throw new IllegalArgumentException("mode " + mode);
        }
    }
}
