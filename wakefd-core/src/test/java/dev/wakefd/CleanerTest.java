package dev.wakefd;

import dev.wakefd.testing.Await;
import dev.wakefd.testing.TestFds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanerTest {

    @Test
    void forgottenEventFdsAreClosedByTheCleaner() throws IOException {
        List<Integer> fds = new ArrayList<>();
        openAndForget(fds, 50);
        Await.until("the Cleaner closes 50 forgotten eventfds", () -> {
            System.gc();
            return fds.stream().noneMatch(TestFds::isSignalFd);
        });
    }

    private static void openAndForget(List<Integer> fds, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            EventFd e = EventFd.open();
            e.signal();
            fds.add(e.fd());
        }
    }

    @Test
    void forgottenWakersAreClosedToo() throws IOException {
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Waker w = Waker.open();
            w.wake();
            fds.add(w.fd());
        }
        Await.until("the Cleaner closes 20 forgotten wakers", () -> {
            System.gc();
            return fds.stream().noneMatch(TestFds::isSignalFd);
        });
    }
}
