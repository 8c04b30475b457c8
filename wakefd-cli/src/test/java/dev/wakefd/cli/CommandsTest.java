package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.EventFd;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Each command driven in-process: exit codes, help, JSON, and what it finds. */
class CommandsTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpOnEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"demo", "--help"}, {"bench", "--help"}, {"inspect", "--help"}}) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage: wakefd");
        }
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("no-such-command").code()).isEqualTo(2);
        assertThat(run("inspect").code()).isEqualTo(2);
        Run bad = run("inspect", "not-a-pid");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("not-a-pid");
        assertThat(run("demo", "--laps", "0").code()).isEqualTo(2);
    }

    @Test
    void inspectFindsAnEventFdWithTheCountWeSet() throws Exception {
        try (EventFd e = EventFd.builder().semaphore(true).initialValue(7).open(); EventFd f = e.duplicate()) {
            Run r = run("inspect", "self", "--json");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("\"fd\": " + e.fd() + ", \"count\": \"7\", \"semaphore\": true");
            Run table = run("inspect", Long.toString(ProcessHandle.current().pid()));
            assertThat(table.out()).containsPattern("\\s" + e.fd() + "\\s+7\\s+semaphore");
        }
    }

    @Test
    void inspectOfAMissingProcessFailsClearly() {
        Run r = run("inspect", "999999999");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no process 999999999");
    }

    @Test
    void benchWithoutTheSourceTreeFailsClearly() {
        String old = System.getProperty("wakefd.home");
        System.clearProperty("wakefd.home");
        try {
            Run r = run("bench", "--quick");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("bench needs the wakefd source tree");
        } finally {
            if (old != null) {
                System.setProperty("wakefd.home", old);
            }
        }
    }

    @Test
    void demoCompletesItsLapsAsJson() {
        Run r = run("demo", "--laps", "200", "--burst", "5000", "--producers", "4", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"laps\": 200").contains("\"hop\": \"whole lap\", \"count\": 200")
                .contains("\"wakes_asked\": 20000");
        assertThat(r.err()).contains("200/200 laps");
    }

    @Test
    void demoWithoutPythonSaysSoAndRunsTheRest() {
        Run r = run("demo", "--laps", "100", "--burst", "1000", "--no-python");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Netty loop -> main").contains("whole lap").doesNotContain("Python asyncio");
    }
}
