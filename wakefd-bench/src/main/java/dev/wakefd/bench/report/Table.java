package dev.wakefd.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table of the report as data: the section it sits in, its own title (or null), column names
 * with their Markdown alignment, and rows of cells formatted as the page shows them. The page is
 * rendered from it ({@link #markdown()}) and the results JSON holds it ({@link #toJson()}), so the
 * page and {@code wakefd bench --json} show the same figures.
 */
final class Table {
    private final String section;
    private final String title;
    private final List<String> columns;
    private final String alignment;
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * @param alignment the Markdown alignment row, e.g. {@code |---|---:|}
     */
    Table(String section, String title, List<String> columns, String alignment) {
        this.section = section;
        this.title = title;
        this.columns = List.copyOf(columns);
        this.alignment = alignment;
    }

    Table row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns.size()
                    + " columns (" + columns + ")");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** The pipe table, header and alignment first; an empty cell is written as {@code | |}. */
    String markdown() {
        StringBuilder b = new StringBuilder();
        line(b, columns);
        b.append(alignment).append('\n');
        for (List<String> r : rows) {
            line(b, r);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells) {
        b.append('|');
        for (String c : cells) {
            b.append(c.isEmpty() ? " |" : " " + c + " |");
        }
        b.append('\n');
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("section", section);
        m.put("title", title);
        m.put("columns", columns);
        m.put("rows", rows);
        return m;
    }
}
