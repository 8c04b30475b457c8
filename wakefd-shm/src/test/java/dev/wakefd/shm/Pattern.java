package dev.wakefd.shm;

import java.util.Arrays;

/**
 * The message sequence every test peer (Java, Python shm_peer.py, C shm_peer.c) produces and
 * checks: xorshift64 lengths in [0, maxLen], message i's byte k is (i * 131 + k) & 0xff.
 */
final class Pattern {
    private long s;
    private final int maxLen;
    private long i;

    Pattern(long seed, int maxLen) {
        this.s = seed == 0 ? 1 : seed;
        this.maxLen = maxLen;
    }

    byte[] next() {
        s ^= s << 13;
        s ^= s >>> 7;
        s ^= s << 17;
        int n = (int) Long.remainderUnsigned(s, maxLen + 1);
        byte[] b = new byte[n];
        int base = (int) ((i * 131) & 0xff);
        for (int k = 0; k < n; k++) {
            b[k] = (byte) (base + k);
        }
        i++;
        return b;
    }

    /** Checks {@code got} against the next message; the message says where they differ. */
    void check(byte[] got) {
        long at = i;
        byte[] want = next();
        if (!Arrays.equals(got, want)) {
            throw new AssertionError("message " + at + ": got " + got.length + " bytes, want " + want.length
                    + (got.length == want.length ? " (content differs)" : ""));
        }
    }

    long count() {
        return i;
    }
}
