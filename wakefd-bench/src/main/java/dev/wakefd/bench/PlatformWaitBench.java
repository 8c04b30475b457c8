package dev.wakefd.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Platform-thread round trips: wakefd's {@code EventFd.await()} (one epoll_wait per wait) with a
 * platform echo thread, against the C floor of the same trip run in this JVM's process (a C echo
 * pthread in poll(2) + read(2), src/main/c/cloops.c: one downcall per trip). Unpinned and on one
 * CPU (the run script), each with {@link WaitGap}'s gaps.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PlatformWaitBench {

    @State(Scope.Thread)
    public static class Wakefd extends SignalEcho {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            start(Thread.ofPlatform().daemon());
        }
    }

    @State(Scope.Thread)
    public static class CFloor {
        MethodHandle trip;
        MethodHandle stop;

        @Setup(Level.Trial)
        public void setup() throws Throwable {
            Path lib = Path.of(System.getProperty("wakefd.cloops", "wakefd-bench/target/libwakefd-cloops.so"))
                    .toAbsolutePath();
            if (!Files.exists(lib)) {
                throw new IllegalStateException("no " + lib + ": build wakefd-bench or pass -Dwakefd.cloops=PATH");
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup loops = SymbolLookup.libraryLookup(lib, Arena.global());
            FunctionDescriptor longOfNothing = FunctionDescriptor.of(ValueLayout.JAVA_LONG);
            MethodHandle start =
                    linker.downcallHandle(loops.find("wakefd_cpp_start").orElseThrow(), longOfNothing);
            trip = linker.downcallHandle(loops.find("wakefd_cpp_trip").orElseThrow(), longOfNothing);
            stop = linker.downcallHandle(loops.find("wakefd_cpp_stop").orElseThrow(), FunctionDescriptor.ofVoid());
            long r = (long) start.invokeExact();
            if (r != 0) {
                throw new IOException("wakefd_cpp_start: errno " + -r);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Throwable {
            stop.invokeExact();
        }
    }

    @Benchmark
    public long wakefdAwait(Wakefd s, WaitGap gap) throws Exception {
        return s.trip();
    }

    @Benchmark
    public long cPollRead(CFloor s, WaitGap gap) throws Throwable {
        long r = (long) s.trip.invokeExact();
        if (r != 0) {
            throw new IOException("wakefd_cpp_trip: errno " + -r);
        }
        return r;
    }
}
