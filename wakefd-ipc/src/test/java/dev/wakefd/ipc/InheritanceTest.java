package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import dev.wakefd.ipc.testing.Peer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child started with ProcessBuilder holds none of our eventfds, even one opened without close-on-exec. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InheritanceTest {

    static List<String> targets(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(f -> {
                        try {
                            return f.getFileName() + " -> " + Files.readSymbolicLink(f);
                        } catch (IOException gone) {
                            return f.getFileName() + " -> ?";
                        }
                    })
                    .toList();
        }
    }

    @Test
    void aChildProcessNeverInheritsAnEventFd() throws Exception {
        try (EventFd inheritable = EventFd.builder().closeOnExec(false).open();
                EventFd normal = EventFd.open();
                Waker waker = Waker.open();
                Peer child = new Peer(List.of("sh", "-c", "echo ready; read line"))) {
            assertThat(targets(ProcessHandle.current().pid()))
                    .as("our own process does hold eventfds")
                    .anyMatch(t -> t.endsWith("anon_inode:[eventfd]"));
            assertThat(child.line()).isEqualTo("ready"); // the child has exec'd: its fd table is final
            List<String> fds = targets(child.pid());
            assertThat(fds).as("the child's fds").noneMatch(t -> t.contains("eventfd"));
            assertThat(fds)
                    .as("only stdin, stdout, stderr (and the shell's own)")
                    .allMatch(t -> t.startsWith("0 ")
                            || t.startsWith("1 ")
                            || t.startsWith("2 ")
                            || !t.contains("anon_inode"));
            child.tell("done");
            assertThat(child.exit()).isZero();
        }
    }
}
