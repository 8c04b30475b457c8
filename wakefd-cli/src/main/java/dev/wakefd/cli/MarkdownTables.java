package dev.wakefd.cli;

import java.util.ArrayList;
import java.util.List;

/** The pipe tables of a Markdown report, each with the "## " heading above it. */
final class MarkdownTables {
    private MarkdownTables() {}

    record Table(String title, List<String> columns, List<List<String>> rows, List<String> lines) {}

    static List<Table> parse(String markdown) {
        List<Table> tables = new ArrayList<>();
        String title = "";
        List<String> block = new ArrayList<>();
        for (String line : (markdown + "\n").split("\n", -1)) {
            if (line.startsWith("|")) {
                block.add(line.strip());
                continue;
            }
            if (block.size() >= 2) {
                tables.add(table(title, block));
            }
            block = new ArrayList<>();
            if (line.startsWith("## ")) {
                title = line.substring(3).strip();
            }
        }
        return tables;
    }

    private static Table table(String title, List<String> lines) {
        List<String> columns = cells(lines.get(0));
        List<List<String>> rows = new ArrayList<>();
        for (String l : lines.subList(2, lines.size())) { // line 1 is the |---|---:| alignment row
            rows.add(cells(l));
        }
        return new Table(title, columns, rows, List.copyOf(lines));
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.endsWith("|") && line.length() > 1 ? line.length() - 1 : line.length());
        List<String> out = new ArrayList<>();
        for (String c : inner.split("\\|", -1)) {
            out.add(c.strip());
        }
        return out;
    }
}
