package dev.wakefd.netty.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads /proc to tell whether an fd number still names the same eventfd. */
public final class Fds {
    private Fds() {}

    /** The kernel's eventfd-id of {@code fd}, empty if the number is free or not an eventfd. */
    public static OptionalLong eventfdId(int fd) throws IOException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("eventfd-id:")) {
                    return OptionalLong.of(Long.parseLong(
                            line.substring("eventfd-id:".length()).trim()));
                }
            }
            return OptionalLong.empty();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    /** True while {@code fd} is still the eventfd whose id was {@code id}. */
    public static boolean stillOpen(int fd, long id) throws IOException {
        OptionalLong now = eventfdId(fd);
        return now.isPresent() && now.getAsLong() == id;
    }
}
