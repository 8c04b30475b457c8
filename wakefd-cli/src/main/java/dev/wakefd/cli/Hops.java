package dev.wakefd.cli;

import java.util.ArrayList;
import java.util.List;

/** The runtimes the demo ring can visit, in ring order after the driving platform thread. */
final class Hops {
    private Hops() {}

    /** A part of the ring: opened when {@code unavailable} is null, otherwise reported as skipped. */
    record Candidate(String name, String unavailable, Opener opener) {}

    interface Opener {
        Hop open() throws Exception;
    }

    static List<Candidate> candidates(boolean python) {
        List<Candidate> out = new ArrayList<>();
        out.add(new Candidate(VirtualThreadHop.NAME, null, VirtualThreadHop::new));
        out.add(new Candidate(PollerHop.NAME, null, PollerHop::new));
        out.add(new Candidate(BridgeHop.NAME, null, BridgeHop::new));
        // POSIX-only mode (macOS, the BSDs, -Dwakefd.platform=posix): the Linux-only hops are skipped, the rest run.
        String posixOnly = dev.wakefd.internal.Platform.posixOnly()
                ? "Linux-only; wakefd runs in " + dev.wakefd.internal.Platform.describe()
                : null;
        for (NettyHop.Transport t : NettyHop.Transport.values()) {
            out.add(new Candidate(
                    t.hopName,
                    posixOnly != null ? "Netty " + t.hopName + ": " + posixOnly : NettyHop.unavailable(t),
                    () -> new NettyHop(t)));
        }
        out.add(new Candidate(
                PythonHop.NAME,
                !python
                        ? "left out (--no-python)"
                        : posixOnly != null ? "passes an eventfd to python3: " + posixOnly : PythonHop.unavailable(),
                PythonHop::new));
        out.add(new Candidate(
                ShmPythonHop.NAME,
                !python
                        ? "left out (--no-python)"
                        : posixOnly != null
                                ? "wakefd-shm needs memfd and eventfd: " + posixOnly
                                : ShmPythonHop.unavailable(),
                ShmPythonHop::new));
        return out;
    }
}
