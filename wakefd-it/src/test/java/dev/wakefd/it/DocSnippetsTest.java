package dev.wakefd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code ```java} block of README.md and docs/**&#47;*.md compiles against the libraries. */
class DocSnippetsTest {
    private static final Path ROOT =
            Path.of(System.getProperty("wakefd.root", "..")).toAbsolutePath().normalize();
    private static final String CLASS_PATH = System.getProperty("java.class.path");

    @TempDir
    Path out;

    @TestFactory
    Stream<DynamicTest> everySnippetCompiles() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<DocSnippets.Snippet> snippets = new ArrayList<>();
        for (Path page : pages) {
            snippets.addAll(DocSnippets.find(page));
        }
        assertThat(snippets).as("README.md has Java snippets to check").isNotEmpty();
        return snippets.stream()
                .map(s -> DynamicTest.dynamicTest(
                        ROOT.relativize(s.file()) + ":" + s.firstLine(),
                        () -> assertThat(DocSnippets.compile(s, CLASS_PATH, out.resolve("s" + s.firstLine())))
                                .as("javac errors in %s", s.where())
                                .isEmpty()));
    }

    /** README's Quick start runs as printed: its two lines on stdout, nothing on stderr. */
    @Test
    void theQuickStartRunsAsPrinted(@TempDir Path dir) throws Exception {
        DocSnippets.Snippet quickStart = DocSnippets.find(ROOT.resolve("README.md")).stream()
                .filter(s -> s.lines().contains("public class QuickStart {"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("README.md has no QuickStart snippet"));
        Path classes = dir.resolve("classes");
        assertThat(DocSnippets.compile(quickStart, CLASS_PATH, classes)).isEmpty();
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Path out = dir.resolve("out"), err = dir.resolve("err");
        Process run = new ProcessBuilder(
                        javaBin,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        classes + File.pathSeparator + CLASS_PATH,
                        "QuickStart")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("QuickStart finished").isTrue();
        assertThat(Files.readString(err)).as("stderr").isEmpty();
        assertThat(run.exitValue()).isZero();
        assertThat(Files.readAllLines(out)).containsExactly("consumer saw 3 signals", "hello from the loop");
    }

    /** The negative control: a snippet that calls what does not exist fails, at its Markdown line. */
    @Test
    void aSnippetThatStopsCompilingFailsAtItsLine(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("page.md");
        Files.writeString(page, """
                # A page

                ```java
                import dev.wakefd.EventFd;

                try (EventFd fd = EventFd.open()) {
                    fd.signalTwice();
                }
                ```
                """);
        List<DocSnippets.Snippet> found = DocSnippets.find(page);
        assertThat(found).hasSize(1);
        assertThat(DocSnippets.compile(found.get(0), CLASS_PATH, dir.resolve("out")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith(page + ":7: ")
                .contains("signalTwice");
    }

    /** Context comments, elisions and whole compilation units follow the documented convention. */
    @Test
    void contextElisionAndUnitsCompile(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("page.md");
        Files.writeString(page, """
                <!-- snippet-context
                import java.util.List;
                List<String> names = List.of("a");
                -->
                ```java
                for (String n : names) {
                    ...
                }
                ```

                ```java
                package demo;

                public final class Demo {
                    public static void main(String[] args) {}
                }
                ```
                """);
        List<DocSnippets.Snippet> found = DocSnippets.find(page);
        assertThat(found).hasSize(2);
        assertThat(DocSnippets.compile(found.get(0), CLASS_PATH, dir.resolve("a")))
                .isEmpty();
        assertThat(DocSnippets.compile(found.get(1), CLASS_PATH, dir.resolve("b")))
                .isEmpty();
        Files.writeString(page, Files.readString(page).replace("List<String> names", "List<Integer> names"));
        assertThat(DocSnippets.compile(DocSnippets.find(page).get(0), CLASS_PATH, dir.resolve("c")))
                .as("the context is really compiled with the fragment")
                .isNotEmpty();
    }
}
