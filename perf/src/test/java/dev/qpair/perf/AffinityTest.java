package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AffinityTest {

    private static String pinInNewThread(int cpu) throws InterruptedException {
        AtomicReference<String> note = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> note.set(Affinity.pinCurrentThread(cpu)));
        t.join();
        return note.get();
    }

    @Test
    void aCpuOutsideTheMaskIsANoteNotAnException() throws Exception {
        String note = pinInNewThread(-1);
        assertTrue(note.contains("cpu -1") && note.contains("unpinned"), note);
        note = pinInNewThread(1024);
        assertTrue(note.contains("cpu 1024") && note.contains("1024 CPUs"), note);
    }

    @Test
    void aRefusedCallReportsItsErrno() throws Exception {
        String note = pinInNewThread(1023);
        assertTrue(note.contains("sched_setaffinity(cpu 1023) failed, errno 22")
                || note.contains("not available"), note);
    }
}
