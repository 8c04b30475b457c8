package dev.wakefd.ipc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process for the tests: its output lines arrive on a queue read with a bound, so a peer
 * that hangs fails the test instead of hanging it, and close() kills it if it is still there.
 */
public final class Peer implements AutoCloseable {
    public static final long WAIT_SECONDS = 60;
    private static final String EOF = "\u0000eof";

    public final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();

    public Peer(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().name("peer-output-" + process.pid()).start(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            lines.add(EOF);
        });
    }

    public long pid() {
        return process.pid();
    }

    /** The next line the peer prints, waiting at most WAIT_SECONDS. */
    public String line() throws InterruptedException {
        String l = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(l)
                .as("peer %d printed nothing for %d s; so far: %s", pid(), WAIT_SECONDS, transcript)
                .isNotNull();
        assertThat(l)
                .as("peer %d ended early; it printed: %s", pid(), transcript)
                .isNotEqualTo(EOF);
        transcript.append(l).append('\n');
        return l;
    }

    public void tell(String text) throws IOException {
        Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        w.write(text + "\n");
        w.flush();
    }

    /** Waits (bounded) for the exit and returns its status. */
    public int exit() throws InterruptedException {
        assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("peer %d exits within %d s", pid(), WAIT_SECONDS)
                .isTrue();
        return process.exitValue();
    }

    /**
     * Waits (bounded) for the exit and for the end of its output, and closes our end of its
     * stdin, so that none of its pipes is open here any more (for tests that count fds). The JDK
     * closes a finished child's stdout asynchronously, after waitFor returns.
     */
    public int finish() throws InterruptedException, IOException {
        int status = exit();
        process.getOutputStream().close();
        for (String l; !EOF.equals(l = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS)); ) {
            assertThat(l).as("peer %d output never ended", pid()).isNotNull();
            transcript.append(l).append('\n');
        }
        lines.add(EOF);
        return status;
    }

    /** Kills the peer (SIGKILL) and waits for it, bounded. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        exit();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
