package dev.wakefd.shm;

import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.ipc.PeerPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/** Test helpers: unique abstract socket names, in-process channel pairs, counts of fds and mappings. */
final class Channels {
    private Channels() {}

    /** Unique per process and call: tests of several engineers run at once on this machine. */
    static String uniqueName() {
        return "wakefd-shm-test-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    record Pair(ShmSender sender, ShmReceiver receiver) implements AutoCloseable {
        @Override
        public void close() {
            sender.close();
            receiver.close();
        }
    }

    /** Both ends in this process, set up over a real socket exactly as between processes. */
    static Pair pair(int capacity) throws Exception {
        String name = uniqueName();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
            CompletableFuture<FdSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.accept(Duration.ofSeconds(10));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            FdSocket client = FdSocket.connectAbstract(name);
            ShmSender tx = Shm.createSender(accepted.get(), capacity);
            ShmReceiver rx = Shm.acceptReceiver(client, Duration.ofSeconds(10));
            return new Pair(tx, rx);
        }
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Open sockets, eventfds and memfds of this process (child processes' pipes are not counted). */
    static long shmFds() throws IOException {
        long n = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String t = Files.readSymbolicLink(p).toString();
                    if (t.startsWith("socket:") || t.equals("anon_inode:[eventfd]") || t.startsWith("/memfd:")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // closed while listing (e.g. the listing's own fd)
                }
            }
        }
        return n;
    }

    static String fdList() throws IOException {
        StringBuilder b = new StringBuilder();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    b.append(p.getFileName())
                            .append("->")
                            .append(Files.readSymbolicLink(p))
                            .append(' ');
                } catch (IOException gone) {
                    // closed while listing
                }
            }
        }
        return b.toString();
    }

    /** Mappings of wakefd-shm memfds in this process (/proc/self/maps names them /memfd:wakefd-shm). */
    static long shmMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("memfd:wakefd-shm"))
                .count();
    }

    static String python() {
        return System.getProperty("wakefd.shm.python", "src/main/python");
    }

    static Path testPython() {
        return Path.of(python()).resolveSibling("../test/python").normalize();
    }
}
