package dev.wakefd.ipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The control-message walk on hand-made buffers: every fd found, every malformation named. */
class ScmRightsParseTest {
    static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    static MemorySegment cmsg(Arena a, long size) {
        return a.allocate(size, 8);
    }

    static void header(MemorySegment m, long off, long len, int level, int type) {
        m.set(J, off, len);
        m.set(I, off + 8, level);
        m.set(I, off + 12, type);
    }

    @Test
    void oneFd() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 24);
            header(m, 0, 20, 1, 1);
            m.set(I, 16, 42);
            ScmRights.Parsed p = ScmRights.parse(m, 24);
            assertThat(p.fds()).containsExactly(42);
            assertThat(p.problem()).isNull();
        }
    }

    @Test
    void twoMessagesBothCollected() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 48);
            header(m, 0, 20, 1, 1);
            m.set(I, 16, 5);
            header(m, 24, 24, 1, 1);
            m.set(I, 40, 6);
            m.set(I, 44, 7);
            ScmRights.Parsed p = ScmRights.parse(m, 48);
            assertThat(p.fds()).containsExactly(5, 6, 7);
            assertThat(p.problem()).isNull(); // the count rule (exactly one) is FdSocket's
        }
    }

    @Test
    void aLengthPastTheBufferIsMalformedAndEarlierFdsAreStillReported() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 48);
            header(m, 0, 20, 1, 1);
            m.set(I, 16, 9);
            header(m, 24, 4096, 1, 1);
            ScmRights.Parsed p = ScmRights.parse(m, 48);
            assertThat(p.fds()).containsExactly(9);
            assertThat(p.problem())
                    .contains("malformed control message at byte 24")
                    .contains("cmsg_len 4096");
        }
    }

    @Test
    void aLengthShorterThanAHeaderIsMalformed() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 24);
            header(m, 0, 8, 1, 1);
            ScmRights.Parsed p = ScmRights.parse(m, 24);
            assertThat(p.fds()).isEmpty();
            assertThat(p.problem()).contains("cmsg_len 8");
        }
    }

    @Test
    void aPartialFdIsMalformed() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 24);
            header(m, 0, 22, 1, 1);
            m.set(I, 16, 3);
            ScmRights.Parsed p = ScmRights.parse(m, 24);
            assertThat(p.fds()).containsExactly(3);
            assertThat(p.problem()).contains("not a whole number of fds");
        }
    }

    @Test
    void otherControlMessagesAreNamed() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 32);
            header(m, 0, 28, 1, 2); // SCM_CREDENTIALS
            ScmRights.Parsed p = ScmRights.parse(m, 32);
            assertThat(p.fds()).isEmpty();
            assertThat(p.problem()).contains("level 1, type 2").contains("expected SCM_RIGHTS");
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = cmsg(a, 32);
            header(m, 0, 20, 1, 1);
            m.set(I, 16, 4);
            ScmRights.Parsed p = ScmRights.parse(m, 30);
            assertThat(p.fds()).containsExactly(4);
            assertThat(p.problem()).contains("6 trailing bytes");
        }
    }

    @Test
    void emptyIsFine() {
        try (Arena a = Arena.ofConfined()) {
            ScmRights.Parsed p = ScmRights.parse(cmsg(a, 8), 0);
            assertThat(p.fds()).isEmpty();
            assertThat(p.problem()).isNull();
        }
    }
}
