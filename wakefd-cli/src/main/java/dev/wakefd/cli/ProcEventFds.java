package dev.wakefd.cli;

import dev.wakefd.internal.ProcFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads which eventfds processes hold from /proc: {@code /proc/<pid>/fd/<n>} links to
 * {@code anon_inode:[eventfd]}, and {@code /proc/<pid>/fdinfo/<n>} gives {@code eventfd-count}
 * (hex), {@code eventfd-id} (Linux 5.13+) and {@code eventfd-semaphore} (Linux 6.5+). The id
 * names the eventfd itself, so two fds with the same id, in one process or two, are one counter.
 * Processes and fds come and go while we read: one that vanishes mid-read is skipped.
 */
final class ProcEventFds {

    /** One eventfd as one process holds it. Unknown fields (older kernels) are null. */
    record Entry(long pid, int fd, long count, Boolean semaphore, Long id) {}

    /** A process that holds an eventfd. */
    record Holder(long pid, String command, int fd) {}

    /** Everything readable in /proc: holders by eventfd-id, and how many processes were unreadable. */
    record Scan(Map<Long, List<Holder>> byId, int unreadable) {}

    private final Path proc;

    ProcEventFds(Path proc) {
        this.proc = proc;
    }

    ProcEventFds() {
        this(Path.of("/proc"));
    }

    /**
     * The eventfds of one process, by fd number.
     *
     * @throws Main.Failure naming the pid if the process does not exist or its fds cannot be read
     */
    List<Entry> eventFds(long pid) {
        Path fdDir = proc.resolve(Long.toString(pid)).resolve("fd");
        if (!Files.isDirectory(proc.resolve(Long.toString(pid)))) {
            throw new Main.Failure(
                    "no process with pid " + pid + " (nothing at " + proc.resolve(Long.toString(pid)) + ")");
        }
        try {
            return read(pid);
        } catch (AccessDeniedException e) {
            throw new Main.Failure(
                    "permission denied reading " + fdDir + ": process " + pid
                            + " belongs to another user; run as its owner or as root",
                    e);
        } catch (NoSuchFileException e) {
            throw new Main.Failure("no process with pid " + pid + " (it exited)", e);
        } catch (IOException e) {
            throw new Main.Failure("reading " + fdDir + ": " + e, e);
        } catch (java.nio.file.DirectoryIteratorException e) {
            throw new Main.Failure("reading " + fdDir + ": " + e.getCause(), e);
        }
    }

    /** The command name from /proc/<pid>/comm, or "?" if it cannot be read. */
    String command(long pid) {
        try {
            return Files.readString(proc.resolve(Long.toString(pid)).resolve("comm"))
                    .strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** Every eventfd of every readable process, grouped by eventfd-id. */
    Scan scanAll() {
        Map<Long, List<Holder>> byId = new HashMap<>();
        int unreadable = 0;
        try (DirectoryStream<Path> pids =
                Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
            for (Path p : pids) {
                long pid = Long.parseLong(p.getFileName().toString());
                List<Entry> entries;
                try {
                    entries = read(pid);
                } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                    // Exited meanwhile (ENOENT, or ESRCH while it is being torn down): not a reading problem.
                    if (Files.isDirectory(p)) {
                        unreadable++;
                    }
                    continue;
                }
                if (entries.isEmpty()) {
                    continue;
                }
                String command = command(pid);
                for (Entry e : entries) {
                    if (e.id() != null) {
                        byId.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(new Holder(pid, command, e.fd()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + proc, e);
        }
        return new Scan(byId, unreadable);
    }

    private List<Entry> read(long pid) throws IOException {
        Path base = proc.resolve(Long.toString(pid));
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(base.resolve("fd"))) {
            for (Path link : fds) {
                String name = link.getFileName().toString();
                if (!isPid(name)) {
                    continue;
                }
                int fd = Integer.parseInt(name);
                String target;
                try {
                    target = Files.readSymbolicLink(link).toString();
                } catch (NoSuchFileException e) {
                    continue; // closed meanwhile
                }
                if (!ProcFs.EVENTFD_TARGET.equals(target)) {
                    continue;
                }
                Map<String, String> info = ProcFs.fdInfo(base.resolve("fdinfo").resolve(name));
                if (info == null) {
                    continue;
                }
                out.add(parse(pid, fd, info));
            }
        }
        out.sort(Comparator.comparingInt(Entry::fd));
        return out;
    }

    static Entry parse(long pid, int fd, Map<String, String> info) {
        String count = info.get("eventfd-count");
        String id = info.get("eventfd-id");
        String sem = info.get("eventfd-semaphore");
        return new Entry(
                pid,
                fd,
                count == null ? 0 : Long.parseUnsignedLong(count.strip(), 16), // the kernel prints it in hex
                sem == null ? null : !"0".equals(sem.strip()),
                id == null ? null : Long.parseLong(id.strip()));
    }

    private static boolean isPid(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
