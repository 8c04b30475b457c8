package dev.wakefd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wakefd inspect <pid>|self}: a process's eventfds, from /proc. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        header = "List a process's eventfds: count, mode and who else holds them",
        description = {
            "Lists a process's eventfds: fd number, pending count, mode (counter or semaphore) and "
                    + "eventfd-id, from /proc/<pid>/fdinfo, and which other fds and processes hold the same eventfd "
                    + "(same eventfd-id).",
            "Counts are unsigned 64-bit. Mode needs Linux 6.5+, eventfd-id Linux 5.13+; older kernels show '?'."
        },
        footer = {
            "%nExamples:",
            "  wakefd inspect self",
            "  wakefd inspect 4242 --watch",
            "  wakefd inspect 4242 --json"
        })
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<pid>|self", description = "a process id, or 'self' for this wakefd process")
    String target;

    @Option(names = "--watch", description = "refresh in place every --interval until interrupted (Ctrl-C)")
    boolean watch;

    @Option(
            names = "--interval",
            paramLabel = "<seconds>",
            defaultValue = "1",
            description = "seconds between refreshes with --watch (default: ${DEFAULT-VALUE})")
    double interval;

    @Option(
            names = "--json",
            description = "print JSON; with --watch, JSON Lines (one compact document per line per refresh)")
    boolean json;

    @Option(
            names = "--frames",
            hidden = true,
            defaultValue = "0",
            description = "stop --watch after this many refreshes (tests)")
    int frames;

    @Option(names = "--proc", hidden = true, defaultValue = "/proc", description = "where procfs is mounted (tests)")
    Path procRoot;

    @Override
    public Integer call() throws InterruptedException {
        try {
            dev.wakefd.internal.Platform.requireLinux("wakefd inspect (it reads /proc/<pid>/fd and fdinfo)");
        } catch (UnsupportedOperationException e) {
            throw new Main.Failure(e.getMessage());
        }
        long pid = parsePid();
        if (!(interval > 0 && interval <= 3600)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--interval " + interval + ": must be more than 0 and at most 3600 seconds");
        }
        ProcEventFds proc = new ProcEventFds(procRoot);
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = !json && Tty.isTerminal(Tty.STDOUT); // where the refresh is drawn
        for (int frame = 1; ; frame++) {
            List<ProcEventFds.Entry> mine = proc.eventFds(pid); // fails for a missing or unreadable process
            ProcEventFds.Scan all = proc.scanAll();
            String command = proc.command(pid);
            String text;
            if (json) {
                Map<String, Object> doc = toJson(pid, command, mine, all);
                text = watch ? Json.line(doc) : Json.write(doc); // --watch: JSON Lines, one document per line
            } else {
                text = render(pid, command, mine, all);
            }
            if (watch && terminal) {
                out.print("\033[H\033[2J"); // home and clear: refresh in place
                out.println("wakefd inspect " + pid + "   " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
                        + "   (Ctrl-C to stop)");
            }
            out.println(text);
            out.flush();
            if (!watch || (frames > 0 && frame >= frames)) {
                return 0;
            }
            Thread.sleep((long) (interval * 1000)); // a refresh period, not synchronization
        }
    }

    private long parsePid() {
        if ("self".equals(target)) {
            return ProcessHandle.current().pid();
        }
        try {
            long pid = Long.parseLong(target);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(), "'" + target + "' is not a process: give a pid (a positive number) or 'self'");
    }

    static String render(long pid, String command, List<ProcEventFds.Entry> mine, ProcEventFds.Scan all) {
        StringBuilder sb = new StringBuilder();
        sb.append("pid ").append(pid).append(" (").append(command).append("): ");
        if (mine.isEmpty()) {
            sb.append("no eventfds\n");
        } else {
            sb.append(mine.size()).append(mine.size() == 1 ? " eventfd\n" : " eventfds\n");
            sb.append(
                    String.format("%6s  %20s  %-9s  %10s  %s%n", "fd", "count", "mode", "eventfd-id", "also held by"));
            for (ProcEventFds.Entry e : mine) {
                sb.append(String.format(
                        "%6d  %20s  %-9s  %10s  %s%n",
                        e.fd(),
                        Long.toUnsignedString(e.count()),
                        e.semaphore() == null ? "?" : e.semaphore() ? "semaphore" : "counter",
                        e.id() == null ? "?" : e.id(),
                        describe(others(e, all))));
            }
        }
        if (mine.stream().anyMatch(e -> e.id() == null)) {
            sb.append("this kernel does not report eventfd-id (Linux 5.13+), so sharing cannot be told\n");
        }
        if (all.unreadable() > 0) {
            boolean one = all.unreadable() == 1;
            sb.append(all.unreadable())
                    .append(one ? " process" : " processes")
                    .append(" could not be read, so sharing with ")
                    .append(one ? "it" : "them")
                    .append(" is not shown")
                    .append("root".equals(System.getProperty("user.name")) ? "\n" : " (run as root to see all)\n");
        }
        return sb.toString().stripTrailing();
    }

    /** The other holders of the same eventfd: other fds here, and other processes. */
    static List<ProcEventFds.Holder> others(ProcEventFds.Entry e, ProcEventFds.Scan all) {
        List<ProcEventFds.Holder> out = new ArrayList<>();
        if (e.id() == null) {
            return out;
        }
        for (ProcEventFds.Holder h : all.byId().getOrDefault(e.id(), List.of())) {
            if (!(h.pid() == e.pid() && h.fd() == e.fd())) {
                out.add(h);
            }
        }
        return out;
    }

    private static String describe(List<ProcEventFds.Holder> holders) {
        if (holders.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (ProcEventFds.Holder h : holders) {
            parts.add("pid " + h.pid() + " (" + h.command() + ") fd " + h.fd());
        }
        return String.join(", ", parts);
    }

    static Map<String, Object> toJson(long pid, String command, List<ProcEventFds.Entry> mine, ProcEventFds.Scan all) {
        List<Object> fds = new ArrayList<>();
        for (ProcEventFds.Entry e : mine) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fd", e.fd());
            m.put("count", new Json.UnsignedLong(e.count()));
            m.put("semaphore", e.semaphore());
            m.put("eventfd_id", e.id());
            List<Object> shared = new ArrayList<>();
            for (ProcEventFds.Holder h : others(e, all)) {
                Map<String, Object> hm = new LinkedHashMap<>();
                hm.put("pid", h.pid());
                hm.put("command", h.command());
                hm.put("fd", h.fd());
                shared.add(hm);
            }
            m.put("also_held_by", shared);
            fds.add(m);
        }
        Map<String, Object> root = Json.document("inspect");
        root.put("pid", pid);
        root.put("command", command);
        root.put("eventfds", fds);
        root.put("unreadable_processes", all.unreadable());
        return root;
    }
}
