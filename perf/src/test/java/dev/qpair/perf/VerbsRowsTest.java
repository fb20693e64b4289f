package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.hca.DeviceMode;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The new verbs rows and the peers' streams run, check what they moved, and report a corruption as an error. */
class VerbsRowsTest {

    private static Options verbs(String... args) {
        return Options.parse(args, 0, 2);
    }

    /** Opens the row with an unpinned peer, runs {@code ops} operations and returns it still open. */
    private static <B extends Benchmark> B run(B b, long ops) {
        b.open(-1);
        for (long i = 0; i < ops; i++) {
            b.operation(i);
        }
        return b;
    }

    private static void runsClean(Supplier<Benchmark> factory, long ops) {
        try (Benchmark b = run(factory.get(), ops)) {
            assertEquals(0, b.errors(), b.name());
        }
    }

    @Test
    void readLatLandsTheRemoteBytesAndNoticesWhenTheyDoNot() {
        for (String mode : new String[] {"thread", "inline"}) {
            try (ReadLat r = run(new ReadLat(verbs("--device-mode", mode, "--size", "100")), 1_000)) {
                assertEquals(0, r.errors());
                r.landing().set(JAVA_BYTE, 99, (byte) ~r.landing().get(JAVA_BYTE, 99));
                assertEquals(1, r.errors(), "a wrong last byte must count");
            }
        }
    }

    @Test
    void atomicLatCountsEveryAtomicOnceInBothKindsAndModes() {
        for (String mode : new String[] {"thread", "inline"}) {
            for (String atomic : new String[] {"fetch-add", "cmp-swap"}) {
                try (AtomicLat a = run(new AtomicLat(verbs("--device-mode", mode, "--atomic", atomic)), 1_000)) {
                    assertEquals(0, a.errors(), mode + " " + atomic);
                    assertEquals(1_000, a.target().get(JAVA_LONG, 0));
                    a.target().set(JAVA_LONG, 0, 999);
                    assertEquals(1, a.errors(), "a remote word that lost an atomic must count");
                }
            }
        }
        assertEquals("atomic-lat-cmp-swap", new AtomicLat(verbs("--atomic", "cmp-swap")).name());
        // in all and verbs, the other rows' --size and --inline pass atomic-lat and read-lat by
        runsClean(() -> new AtomicLat(verbs("--size", "64", "--inline", "on")), 100);
        assertEquals(8, new AtomicLat(verbs("--size", "64")).sizeBytes());
        runsClean(() -> new ReadLat(verbs("--size", "64", "--inline", "on")), 100);
    }

    @Test
    void writeBwLandsTheLastWrOfEveryQpWithAnyBatchAndSignalInterval() {
        try (WriteBw w = run(new WriteBw(verbs("--qps", "3", "--post-list", "5", "--signal", "7")), 5 * 3 * 400)) {
            assertEquals(0, w.errors());
            w.target().set(JAVA_LONG, 2 * WriteBw.stride(64), -5L);
            assertEquals(1, w.errors(), "a QP whose last WR did not land must count");
        }
        runsClean(() -> new WriteBw(verbs("--device-mode", "inline", "--qps", "4", "--post-list", "1", "--signal", "1")), 2_000);
        runsClean(() -> new WriteBw(verbs("--size", "4096", "--inline", "off", "--post-list", "256", "--signal", "256")), 256 * 40);
        runsClean(() -> new WriteBw(verbs("--size", "4", "--signal", "3")), 16 * 100);
    }

    @Test
    void sendBwDeliversEverySendToTheReceivingThread() {
        runsClean(() -> new SendBw(verbs("--qps", "2", "--post-list", "8", "--signal", "5")), 8 * 2 * 500);
        runsClean(() -> new SendBw(verbs("--size", "1024", "--inline", "off", "--device-mode", "thread")), 16 * 100);
    }

    @Test
    void thePeersStreamsDeliverInOrder() {
        runsClean(JctoolsSpscStream::new, 100_000);
        runsClean(AgronaRingStream::new, 100_000);
        runsClean(DisruptorStream::new, 100_000);
    }

    @Test
    void writeLatWithIdleQpsIsNamedByItsQpCountAndStillLands() {
        WriteLat w = new WriteLat(verbs("--idle-qps", "62"));
        assertEquals("write-lat-qps64", w.name());
        try (w) {
            run(w, 2_000);
            assertEquals(0, w.errors());
        }
        assertEquals("write-lat", new WriteLat(Options.defaults()).name());
    }

    @Test
    void idleQpsAreCreatedInPairsOnly() {
        try (VerbsPair pair = new VerbsPair(DeviceMode.INLINE, -1, 4096, 4, 0, 1)) {
            IdleQps.create(pair.device, 4);
            String m = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> IdleQps.create(pair.device, 3)).getMessage();
            assertTrue(m.contains("3") && m.contains("even"), m);
        }
    }
}
