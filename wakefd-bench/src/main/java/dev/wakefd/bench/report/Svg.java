package dev.wakefd.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart, one panel per table, on a log scale (the figures span from a fraction
 * of a nanosecond to tens of microseconds). Bars are coloured by {@link Row.Who}; error whiskers
 * show the 99.9% interval where one is known.
 */
final class Svg {
    record Bar(String label, double value, double error, Row.Who who) {}

    record Panel(String title, String unit, List<Bar> bars) {}

    private static final int WIDTH = 980;
    private static final int LABEL = 380;
    private static final int PLOT = 480;
    private static final int ROW = 20;

    private Svg() {}

    static String render(String title, List<Panel> panels) {
        StringBuilder b = new StringBuilder();
        int y = 64;
        StringBuilder body = new StringBuilder();
        for (Panel p : panels) {
            y = panel(body, p, y) + 24;
        }
        b.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n",
                WIDTH,
                y,
                WIDTH,
                y));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, y));
        b.append("<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">")
                .append(escape(title))
                .append("</text>\n");
        int lx = 10;
        for (Row.Who w : Row.Who.values()) {
            b.append(String.format(
                    Locale.ROOT, "<rect x=\"%d\" y=\"34\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx, colour(w)));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"45\">%s</text>\n", lx + 16, legend(w)));
            lx += 190;
        }
        b.append(body).append("</svg>\n");
        return b.toString();
    }

    private static int panel(StringBuilder b, Panel p, int y) {
        List<Bar> bars = p.bars().stream()
                .filter(x -> x.value() > 0 && Double.isFinite(x.value()))
                .toList();
        b.append(String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
                y + 14,
                escape(p.title() + " (" + p.unit() + ", log scale)")));
        y += 24;
        if (bars.isEmpty()) {
            b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">not measured in this run</text>\n", y + 14));
            return y + ROW;
        }
        double lo = Math.floor(
                Math.log10(bars.stream().mapToDouble(Bar::value).min().orElseThrow()));
        double hi = Math.ceil(Math.log10(bars.stream()
                .mapToDouble(x -> x.value() + safe(x.error()))
                .max()
                .orElseThrow()));
        if (hi <= lo) {
            hi = lo + 1;
        }
        int top = y;
        int height = bars.size() * ROW;
        for (double d = lo; d <= hi; d++) {
            double x = LABEL + (d - lo) / (hi - lo) * PLOT;
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">%s</text>\n",
                    x,
                    top,
                    x,
                    top + height,
                    x,
                    top + height + 14,
                    tick(d)));
        }
        for (Bar bar : bars) {
            double w = Math.max(1, scale(bar.value(), lo, hi));
            b.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                    LABEL - 8,
                    y + 14,
                    escape(bar.label())));
            b.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>",
                    LABEL,
                    y + 3,
                    w,
                    ROW - 6,
                    colour(bar.who()),
                    escape(bar.label() + ": " + Report.num(bar.value()) + " " + p.unit())));
            double err = safe(bar.error());
            if (err > 0) {
                double x1 = LABEL + Math.max(0, scale(Math.max(bar.value() - err, Math.pow(10, lo)), lo, hi));
                double x2 = LABEL + scale(bar.value() + err, lo, hi);
                int cy = y + ROW / 2;
                b.append(String.format(
                        Locale.ROOT,
                        "<path d=\"M%.1f %dH%.1fM%.1f %dv6M%.1f %dv6\" stroke=\"black\" fill=\"none\"/>",
                        x1,
                        cy,
                        x2,
                        x1,
                        cy - 3,
                        x2,
                        cy - 3));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%s</text>\n",
                    LABEL + PLOT + 8.0,
                    y + 14,
                    escape(Report.num(bar.value()))));
            y += ROW;
        }
        return y + 18;
    }

    private static double scale(double v, double lo, double hi) {
        return (Math.log10(v) - lo) / (hi - lo) * PLOT;
    }

    private static double safe(double e) {
        return Double.isFinite(e) && e > 0 ? e : 0;
    }

    private static String tick(double exp) {
        double v = Math.pow(10, exp);
        return v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%s", v);
    }

    static String colour(Row.Who w) {
        return switch (w) {
            case FLOOR -> "#6b6b6b";
            case WAKEFD -> "#1f6fb4";
            case PEER -> "#e8892b";
            case DETAIL -> "#9cc3e6";
        };
    }

    private static String legend(Row.Who w) {
        return switch (w) {
            case FLOOR -> "C floor";
            case WAKEFD -> "wakefd";
            case PEER -> "peers (JDK, Netty)";
            case DETAIL -> "wakefd detail";
        };
    }

    static String escape(String s) {
        return s.replace("`", "")
                .replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
