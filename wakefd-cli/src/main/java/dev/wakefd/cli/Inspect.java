package dev.wakefd.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wakefd inspect}: a process's eventfds from /proc, and which other processes share them. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List a process's eventfds (fd, count, semaphore flag, eventfd-id) and the processes that share each one.")
final class Inspect implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PID|self", description = "a process id, or 'self' for this command's own process")
    String target;

    @Option(names = "--watch", description = "refresh in place every second until interrupted")
    boolean watch;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One eventfd of a process, as /proc/PID/fdinfo shows it. */
    record Entry(int fd, String count, boolean semaphore, String id, List<Long> sharedWith) {}

    @Override
    public Integer call() throws Exception {
        String pid = "self".equals(target) ? Long.toString(ProcessHandle.current().pid()) : target;
        if (!pid.matches("[0-9]+")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "inspect: '" + target + "' is not a process id or 'self'");
        }
        PrintWriter out = spec.commandLine().getOut();
        do {
            List<Entry> entries = scan(pid);
            if (watch && !json) {
                out.print("\033[H\033[2J");
            }
            out.println(json ? Json.of(toJson(pid, entries)) : table(pid, entries));
            out.flush();
            if (watch) {
                Thread.sleep(1000); // a display refresh interval, not synchronisation
            }
        } while (watch);
        return 0;
    }

    static List<Entry> scan(String pid) throws IOException {
        Path fdDir = Path.of("/proc", pid, "fd");
        if (!Files.isDirectory(Path.of("/proc", pid))) {
            throw new IOException("no process " + pid);
        }
        Map<Integer, String[]> found = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fdDir)) {
            for (Path p : ds) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (!"anon_inode:[eventfd]".equals(target)) {
                    continue;
                }
                int fd = Integer.parseInt(p.getFileName().toString());
                Map<String, String> info = fdinfo(pid, fd);
                if (info == null) {
                    continue;
                }
                found.put(fd, new String[] {
                    info.getOrDefault("eventfd-count", "?"), info.getOrDefault("eventfd-semaphore", "?"),
                    info.getOrDefault("eventfd-id", "?")});
            }
        } catch (AccessDeniedException e) {
            throw new IOException("permission denied reading " + fdDir + " (run as the process's user or root)");
        } catch (NoSuchFileException e) {
            throw new IOException("no process " + pid);
        }
        Map<String, List<Long>> sharers = sharers(pid, found.values().stream().map(v -> v[2]).toList());
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<Integer, String[]> e : found.entrySet()) {
            String[] v = e.getValue();
            String count = v[0].equals("?") ? "?" : Long.toUnsignedString(Long.parseUnsignedLong(v[0], 16));
            entries.add(new Entry(e.getKey(), count, "1".equals(v[1]), v[2], sharers.getOrDefault(v[2], List.of())));
        }
        return entries;
    }

    private static Map<String, String> fdinfo(String pid, int fd) throws IOException {
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc", pid, "fdinfo", Integer.toString(fd)))) {
                int c = line.indexOf(':');
                if (c > 0) {
                    m.put(line.substring(0, c).trim(), line.substring(c + 1).trim());
                }
            }
            return m;
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /** Other processes holding an eventfd with one of these eventfd-ids (ids are unique per kernel). */
    private static Map<String, List<Long>> sharers(String pid, List<String> ids) throws IOException {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        if (ids.isEmpty() || ids.contains("?")) {
            return out;
        }
        long self = Long.parseLong(pid);
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long other = Long.parseLong(proc.getFileName().toString());
                if (other == self) {
                    continue;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path f : fds) {
                        try {
                            if (!"anon_inode:[eventfd]".equals(Files.readSymbolicLink(f).toString())) {
                                continue;
                            }
                            Map<String, String> info = fdinfo(Long.toString(other), Integer.parseInt(f.getFileName().toString()));
                            String id = info == null ? null : info.get("eventfd-id");
                            if (id != null && ids.contains(id)) {
                                List<Long> l = out.computeIfAbsent(id, k -> new ArrayList<>());
                                if (!l.contains(other)) {
                                    l.add(other);
                                }
                            }
                        } catch (IOException ignored) {
                            // the fd or the process went away, or is not ours to read
                        }
                    }
                } catch (IOException ignored) {
                    // not ours to read, or gone
                }
            }
        }
        return out;
    }

    static String table(String pid, List<Entry> entries) {
        StringBuilder sb = new StringBuilder();
        sb.append("process ").append(pid).append(": ").append(entries.size()).append(entries.size() == 1 ? " eventfd" : " eventfds").append('\n');
        if (entries.isEmpty()) {
            return sb.toString().strip();
        }
        sb.append(String.format("%6s  %22s  %-9s  %-10s  %s%n", "FD", "COUNT", "MODE", "ID", "SHARED WITH"));
        for (Entry e : entries) {
            sb.append(String.format("%6d  %22s  %-9s  %-10s  %s%n", e.fd(), e.count(), e.semaphore() ? "semaphore" : "counter",
                    e.id(), e.sharedWith().isEmpty() ? "-" : "pid " + String.join(", ", e.sharedWith().stream().map(String::valueOf).toList())));
        }
        return sb.toString().stripTrailing();
    }

    static Map<String, Object> toJson(String pid, List<Entry> entries) {
        List<Object> list = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fd", e.fd());
            m.put("count", e.count());
            m.put("semaphore", e.semaphore());
            m.put("eventfd_id", e.id());
            m.put("shared_with", e.sharedWith());
            list.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", Long.parseLong(pid));
        m.put("eventfds", list);
        return m;
    }
}
