package dev.wakefd.it;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Finds the {@code ```java} blocks of Markdown files and compiles each one with javac against a
 * class path, reporting errors at the Markdown file and line.
 *
 * <p>The convention (this comment is its reference):
 * <ul>
 *   <li>A block with a {@code package} line or a top-level type declaration at column 0 is a
 *       compilation unit and compiles as it is.</li>
 *   <li>Any other block is a fragment: its {@code import} lines stay imports, the rest becomes the
 *       body of {@code void snippet() throws Exception} in a class of its own (local records and
 *       classes are allowed there). A line that is only {@code ...} stands for elided code.</li>
 *   <li>Names a fragment uses but does not declare come from an HTML comment (invisible on the
 *       page) right before the block: {@code <!-- snippet-context ... -->}; its import lines become
 *       imports, the rest becomes members of the class around the fragment.</li>
 *   <li>Pseudo-code that is not Java goes in a {@code ```text} block.</li>
 * </ul>
 */
final class DocSnippets {
    private static final Pattern OPEN = Pattern.compile("^\\s*```java\\b.*$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*```\\s*$");
    private static final Pattern UNIT = Pattern.compile(
            "(?m)^(package\\s|(public\\s+|final\\s+|abstract\\s+|sealed\\s+)*(class|record|interface|enum)\\s)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^public\\s+(final\\s+|abstract\\s+|sealed\\s+)*(class|record|interface|enum)\\s+(\\w+)");

    /** One block: where it starts (the line after the fence, 1-based), its lines and its context. */
    record Snippet(Path file, int firstLine, List<String> lines, List<String> context, int contextLine) {
        String where() {
            return file.getFileName() + ":" + firstLine;
        }
    }

    private DocSnippets() {}

    static List<Snippet> find(Path markdown) throws IOException {
        List<String> all = Files.readAllLines(markdown);
        List<Snippet> found = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!OPEN.matcher(all.get(i)).matches()) {
                continue;
            }
            int start = i + 1;
            int end = start;
            while (end < all.size() && !CLOSE.matcher(all.get(end)).matches()) {
                end++;
            }
            if (end == all.size()) {
                throw new IllegalArgumentException(markdown + ":" + (i + 1) + ": ```java block is never closed");
            }
            List<String> context = new ArrayList<>();
            int contextLine = contextBefore(all, i, context);
            found.add(new Snippet(markdown, start + 1, List.copyOf(all.subList(start, end)), context, contextLine));
            i = end;
        }
        return found;
    }

    /** Fills {@code into} with the lines of a snippet-context comment just before line {@code fence}. */
    private static int contextBefore(List<String> all, int fence, List<String> into) {
        int j = fence - 1;
        while (j >= 0 && all.get(j).isBlank()) {
            j--;
        }
        if (j < 0 || !all.get(j).strip().equals("-->")) {
            return 0;
        }
        int close = j;
        while (j >= 0 && !all.get(j).strip().startsWith("<!--")) {
            j--;
        }
        if (j < 0 || !all.get(j).strip().equals("<!-- snippet-context")) {
            return 0;
        }
        into.addAll(all.subList(j + 1, close));
        return j + 2;
    }

    /** Compiles one snippet; returns the errors as "file:line: message" lines, empty when it compiles. */
    static List<String> compile(Snippet s, String classPath, Path outDir) throws IOException {
        List<String> src = new ArrayList<>();
        List<Integer> origin = new ArrayList<>(); // Markdown line of each generated line, 0 if generated
        String name;
        String code = String.join("\n", s.lines());
        if (UNIT.matcher(code).find()) {
            Matcher m = PUBLIC_TYPE.matcher(code);
            name = m.find() ? m.group(3) : "Snippet" + s.firstLine();
            for (int k = 0; k < s.lines().size(); k++) {
                add(src, origin, s.lines().get(k), s.firstLine() + k);
            }
        } else {
            name = "Snippet" + s.firstLine();
            for (int k = 0; k < s.context().size(); k++) {
                if (s.context().get(k).startsWith("import ")) {
                    add(src, origin, s.context().get(k), s.contextLine() + k);
                }
            }
            for (int k = 0; k < s.lines().size(); k++) {
                if (s.lines().get(k).startsWith("import ")) {
                    add(src, origin, s.lines().get(k), s.firstLine() + k);
                }
            }
            add(src, origin, "class " + name + " {", 0);
            for (int k = 0; k < s.context().size(); k++) {
                if (!s.context().get(k).startsWith("import ")) {
                    add(src, origin, s.context().get(k), s.contextLine() + k);
                }
            }
            add(src, origin, "void snippet() throws Exception {", 0);
            for (int k = 0; k < s.lines().size(); k++) {
                String line = s.lines().get(k);
                boolean elided = line.strip().equals("...");
                add(src, origin, line.startsWith("import ") || elided ? "" : line, s.firstLine() + k);
            }
            add(src, origin, "}}", 0);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file =
                new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return String.join("\n", src) + "\n";
                    }
                };
        Files.createDirectories(outDir);
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of(
                    "-classpath",
                    classPath,
                    "-d",
                    outDir.toString(),
                    "-proc:none",
                    "--release",
                    "22",
                    "-Xlint:-options");
            javac.getTask(new StringWriter(), files, diagnostics, options, null, List.of(file))
                    .call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            int generated = (int) d.getLineNumber();
            int line = generated >= 1 && generated <= origin.size() ? origin.get(generated - 1) : 0;
            errors.add(s.file() + ":" + (line > 0 ? line : s.firstLine()) + ": " + d.getMessage(Locale.ROOT));
        }
        return errors;
    }

    private static void add(List<String> src, List<Integer> origin, String line, int from) {
        src.add(line);
        origin.add(from);
    }
}
