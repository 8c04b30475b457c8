package dev.wakefd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every entry of every {@link Abi} table against the header it cites, kept as test data in
 * {@code src/test/resources/dev/wakefd/internal/abi/*.h}: verbatim excerpts of the cited headers
 * (made by scripts/abi-excerpt.py for Linux and XNU, copied by hand for FreeBSD and OpenBSD).
 */
class AbiTest {

    static Stream<Object[]> tables() {
        return Stream.of(
                new Object[] {Abi.LINUX, "linux.h"},
                new Object[] {Abi.MACOS, "macos.h"},
                new Object[] {Abi.FREEBSD, "freebsd.h"},
                new Object[] {Abi.OPENBSD, "openbsd.h"});
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("tables")
    void everyEntryMatchesItsHeader(Abi.Table table, String excerpt) throws IOException {
        Map<String, Integer> header = parse(resource(excerpt));
        assertThat(table.values().keySet())
                .as("names of the %s table", table.system())
                .containsExactlyInAnyOrderElementsOf(Abi.NAMES);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Integer> e : table.values().entrySet()) {
            Integer fromHeader = header.get(e.getKey());
            if (!e.getValue().equals(fromHeader)) {
                wrong.add(e.getKey() + ": table " + e.getValue() + ", header " + fromHeader);
            }
        }
        assertThat(wrong)
                .as("%s entries that differ from %s", table.system(), excerpt)
                .isEmpty();
    }

    /** The parser must catch a wrong entry, or the test above could not fail. */
    @Test
    void aWrongEntryIsCaught() throws IOException {
        Map<String, Integer> header = parse(resource("macos.h"));
        assertThat(header.get("EAGAIN")).isEqualTo(35).isNotEqualTo(Abi.LINUX.get("EAGAIN"));
        assertThat(header.get("O_NONBLOCK")).isNotEqualTo(Abi.LINUX.get("O_NONBLOCK"));
        assertThat(parse(resource("linux.h")).get("NFDS_T_SIZE")).isEqualTo(8);
        assertThat(header.get("NFDS_T_SIZE")).isEqualTo(4);
        assertThatThrownBy(() -> parse("#define EAGAIN 11\n#define EAGAIN 35\n"))
                .hasMessageContaining("EAGAIN");
    }

    @Test
    void selectsByOsNameAndArch() {
        assertThat(Abi.select("Linux", "amd64")).isSameAs(Abi.LINUX);
        assertThat(Abi.select("Linux", "aarch64")).isSameAs(Abi.LINUX);
        assertThat(Abi.select("Mac OS X", "aarch64")).isSameAs(Abi.MACOS);
        assertThat(Abi.select("Mac OS X", "x86_64")).isSameAs(Abi.MACOS);
        assertThat(Abi.select("FreeBSD", "amd64")).isSameAs(Abi.FREEBSD);
        assertThat(Abi.select("OpenBSD", "aarch64")).isSameAs(Abi.OPENBSD);
        // Other architectures renumber errno (mips, sparc, alpha, parisc): no table, so a clear refusal.
        assertThat(Abi.select("Linux", "mips64")).isNull();
        assertThat(Abi.select("SunOS", "amd64")).isNull();
        assertThat(Abi.unknownSystem("SunOS", "amd64").getMessage())
                .startsWith("wakefd has no kernel constants for SunOS on amd64")
                .contains("EAGAIN", "O_NONBLOCK", "nfds_t");
    }

    @Test
    void errnoNamesFollowTheTable() {
        assertThat(Errno.names(Abi.MACOS).get(35)).isEqualTo("EAGAIN");
        assertThat(Errno.names(Abi.MACOS).get(11)).isEqualTo("EDEADLK");
        assertThat(Errno.names(Abi.OPENBSD).get(88)).isEqualTo("ECANCELED");
        assertThat(Errno.names(Abi.LINUX).get(11)).isEqualTo("EAGAIN");
        assertThat(Poll.POLLFD_SIZE).isEqualTo(Abi.current().get("POLLFD_SIZE"));
    }

    /**
     * The Linux table against this machine's C compiler and headers, not only against the
     * excerpt. Skipped (with the reason) where there is no cc: the build needs none.
     */
    @Test
    void linuxTableMatchesTheCompilerHere() throws Exception {
        assumeTrue(Abi.current() == Abi.LINUX, "runs on Linux");
        Path dir = Files.createTempDirectory("wakefd-abi");
        try {
            StringBuilder c = new StringBuilder(
                    "#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <poll.h>\n#include <stdio.h>\nint main(void){\n");
            for (String n : Abi.NAMES) {
                String expr = switch (n) {
                    case "POLLFD_SIZE" -> "(long) sizeof(struct pollfd)";
                    case "NFDS_T_SIZE" -> "(long) sizeof(nfds_t)";
                    default -> "(long) " + n;
                };
                c.append("printf(\"")
                        .append(n)
                        .append(" %ld\\n\", ")
                        .append(expr)
                        .append(");\n");
            }
            c.append("return 0;}\n");
            Files.writeString(dir.resolve("abi.c"), c);
            Process cc;
            try {
                cc = new ProcessBuilder(
                                "cc",
                                "-o",
                                dir.resolve("abi").toString(),
                                dir.resolve("abi.c").toString())
                        .redirectErrorStream(true)
                        .start();
            } catch (IOException e) {
                assumeTrue(false, "no C compiler (cc) on PATH: " + e.getMessage());
                return;
            }
            String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(cc.exitValue()).as(ccOut).isZero();
            Process run = new ProcessBuilder(dir.resolve("abi").toString()).start();
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Map<String, Integer> actual = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                String[] p = line.split(" ");
                actual.put(p[0], Integer.parseInt(p[1]));
            }
            assertThat(actual).isEqualTo(Abi.LINUX.values());
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = AbiTest.class.getResourceAsStream("abi/" + name)) {
            assertThat(in).as("test data abi/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final Pattern DEFINE = Pattern.compile("^#\\s*define\\s+(\\w+)\\s+(.*?)\\s*(/\\*.*)?$");
    private static final Pattern SUM = Pattern.compile("\\(\\s*(\\w+)\\s*\\+\\s*(\\w+)\\s*\\)");
    private static final Pattern NFDS = Pattern.compile("^typedef\\s+(.*?)\\s+nfds_t\\s*;");

    /**
     * The header's values: {@code #define NAME value} where value is a C integer, a name defined
     * above it or {@code (NAME + n)}; {@code sizeof(nfds_t)} from its typedef; POLLFD_SIZE from
     * struct pollfd's members. A name defined twice must get the same value both times.
     */
    static Map<String, Integer> parse(String text) {
        Map<String, Integer> v = new HashMap<>();
        List<String> pollfd = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("//") || line.isEmpty()) {
                continue;
            }
            if (pollfd != null) {
                if (line.startsWith("}")) {
                    assertThat(pollfd)
                            .as("struct pollfd members")
                            .containsExactly("int fd", "short events", "short revents");
                    put(v, "POLLFD_SIZE", 4 + 2 + 2);
                    pollfd = null;
                } else {
                    pollfd.add(
                            line.replaceAll(";.*", "").replaceAll("\\s+", " ").strip());
                }
                continue;
            }
            if (line.matches("(typedef\\s+)?struct\\s+pollfd\\s*\\{")) {
                pollfd = new ArrayList<>();
                continue;
            }
            Matcher n = NFDS.matcher(line);
            if (n.find()) {
                String type = n.group(1).replaceAll("\\s+", " ");
                put(
                        v,
                        "NFDS_T_SIZE",
                        switch (type) {
                            case "unsigned long int", "unsigned long" -> 8; // LP64: Linux, macOS, BSDs
                            case "unsigned int" -> 4;
                            default -> throw new IllegalArgumentException("nfds_t type " + type);
                        });
                continue;
            }
            Matcher d = DEFINE.matcher(line);
            if (d.matches()) {
                put(v, d.group(1), value(d.group(2), v));
            }
        }
        return v;
    }

    private static int value(String expr, Map<String, Integer> known) {
        Matcher sum = SUM.matcher(expr);
        if (sum.matches()) {
            return value(sum.group(1), known) + value(sum.group(2), known);
        }
        if (expr.matches("[A-Za-z_]\\w*")) {
            Integer k = known.get(expr);
            if (k == null) {
                throw new IllegalArgumentException("undefined name " + expr);
            }
            return k;
        }
        return Integer.decode(expr);
    }

    private static void put(Map<String, Integer> v, String name, int value) {
        Integer old = v.put(name, value);
        if (old != null && old != value) {
            throw new IllegalArgumentException(name + " defined as " + old + " and " + value);
        }
    }
}
