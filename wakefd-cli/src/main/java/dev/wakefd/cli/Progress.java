package dev.wakefd.cli;

import java.io.PrintWriter;

/**
 * Progress on stderr. On a terminal, a bar redrawn in place at most ten times a second; otherwise
 * (a pipe, a log, a test) one line at the start and one at the end, so logs stay readable.
 */
final class Progress {
    private static final long REDRAW_NS = 100_000_000L;
    private final PrintWriter err;
    private final boolean bar;
    private final String label;
    private final long total;
    private final long startNs = System.nanoTime();
    private long lastDrawNs;

    Progress(PrintWriter err, boolean bar, String label, long total) {
        this.err = err;
        this.bar = bar;
        this.label = label;
        this.total = total;
        if (!bar) {
            err.println(label + ": " + String.format("%,d", total) + " laps...");
            err.flush();
        } else {
            draw(0);
        }
    }

    /** Whether stderr, where the bar is drawn, is a terminal that can take carriage-return redraws. */
    static boolean terminal() {
        return Tty.isTerminal(Tty.STDERR);
    }

    /** Called by the one thread that makes progress. */
    void update(long done) {
        if (bar) {
            long now = System.nanoTime();
            if (now - lastDrawNs >= REDRAW_NS) {
                lastDrawNs = now;
                draw(done);
            }
        }
    }

    void finish(long done) {
        double s = (System.nanoTime() - startNs) / 1e9;
        if (bar) {
            draw(done);
            err.println();
        } else {
            err.println(label + ": " + String.format("%,d", done) + " laps in " + String.format("%.1f", s) + " s");
        }
        err.flush();
    }

    private void draw(long done) {
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        err.print("\r" + label + " [" + "#".repeat(filled) + "-".repeat(width - filled) + "] "
                + String.format("%,d/%,d laps", done, total));
        err.flush();
    }
}
