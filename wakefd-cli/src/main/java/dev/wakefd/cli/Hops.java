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
        for (NettyHop.Transport t : NettyHop.Transport.values()) {
            out.add(new Candidate(t.hopName, NettyHop.unavailable(t), () -> new NettyHop(t)));
        }
        out.add(new Candidate(PythonHop.NAME, python ? PythonHop.unavailable() : "left out (--no-python)", PythonHop::new));
        return out;
    }
}
