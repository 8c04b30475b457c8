package dev.wakefd.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** What /proc tells about an fd: its target and its fdinfo fields. Linux only. */
public final class ProcFs {
    private ProcFs() {}

    /** The link text of {@code /proc/<pid>/fd/<fd>}, e.g. {@code anon_inode:[eventfd]}; null if not open. */
    public static String fdTarget(String pid, int fd) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid, "fd", Integer.toString(fd)))
                    .toString();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The {@code key: value} lines of {@code /proc/<pid>/fdinfo/<fd>}; null if the fd is not open. */
    public static Map<String, String> fdInfo(String pid, int fd) throws IOException {
        return fdInfo(Path.of("/proc", pid, "fdinfo", Integer.toString(fd)));
    }

    /** The {@code key: value} lines of an fdinfo file (any proc root); null if it does not exist. */
    public static Map<String, String> fdInfo(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(
                        line.substring(0, colon).trim(),
                        line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    public static final String EVENTFD_TARGET = "anon_inode:[eventfd]";
}
