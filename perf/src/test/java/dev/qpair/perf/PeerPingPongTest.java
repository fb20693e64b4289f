package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The peer ping-pongs carry 8 bytes by default and any size in 8..4096 on request, and check what comes back. */
class PeerPingPongTest {

    private static final List<IntFunction<Benchmark>> PEERS = List.of(
            JctoolsSpscPingPong::new, AgronaRingPingPong::new, DisruptorPingPong::new);

    /** Opens the peer unpinned, runs {@code ops} round trips, each returning its own sequence number. */
    private static void runsClean(Benchmark b, int size, long ops) {
        try (b) {
            b.open(-1);
            for (long i = 0; i < ops; i++) {
                assertEquals(i, b.operation(i), b.name() + " at " + size + " bytes");
            }
            assertEquals(0, b.errors(), b.name() + " at " + size + " bytes");
            assertEquals(size, b.sizeBytes(), b.name());
            Params params = new Params();
            b.describe(params);
            assertEquals((long) size, params.get("size_bytes"), b.name());
            assertTrue(params.get("payload") instanceof String, b.name());
        }
    }

    @Test
    void everyPeerRoundTripsItsSequenceNumberAtEightAndSixtyFourBytesAndAtTheEdges() {
        for (IntFunction<Benchmark> peer : PEERS) {
            for (int size : new int[] {8, 64, 4096, 13}) {
                runsClean(peer.apply(size), size, size == 4096 ? 1_000 : 5_000);
            }
        }
    }

    @Test
    void theNoArgumentPeersCarryEightBytes() {
        for (Supplier<Benchmark> peer : List.<Supplier<Benchmark>>of(
                JctoolsSpscPingPong::new, AgronaRingPingPong::new, DisruptorPingPong::new)) {
            runsClean(peer.get(), 8, 5_000);
        }
    }

    @Test
    void aSizeOutsideEightTo4096IsRejectedNamingSizeAndTheRange() {
        for (IntFunction<Benchmark> peer : PEERS) {
            for (int size : new int[] {7, 0, -64, 4097}) {
                String message = assertThrows(IllegalArgumentException.class, () -> peer.apply(size)).getMessage();
                assertTrue(message.startsWith("size: " + size + " ") && message.contains("8..4096"), message);
            }
        }
    }

    @Test
    void theSendLatSetRunsThePeersAtItsSizeAndAllAddsThemOnlyWhenThatIsNotEight() {
        Options defaults = Options.parse(new String[0], 0, 2);
        assertEquals(64, PerfMain.peerSize(defaults));
        assertEquals(List.of(64, 64, 64), sizes(PerfMain.sizedPeers(defaults)));
        assertEquals(List.of(JctoolsSpscPingPong.NAME, AgronaRingPingPong.NAME, DisruptorPingPong.NAME),
                PerfMain.sizedPeers(defaults).stream().map(s -> s.get().name()).toList());
        Options eight = Options.parse(new String[] {"--size", "8"}, 0, 2);
        assertEquals(List.of(), PerfMain.sizedPeers(eight));
        assertEquals(List.of(8, 8, 8), sizes(PerfMain.peerPingPongs(PerfMain.peerSize(eight))));
        assertEquals(8, PerfMain.peerSize(Options.parse(new String[] {"--size", "4"}, 0, 2)), "send-lat carries at least 8");
        assertEquals(8, PerfMain.peerSize(Options.parse(new String[] {"--size", "8192"}, 0, 2)), "no peer above 4096");
        assertEquals(List.of(), PerfMain.sizedPeers(Options.parse(new String[] {"--size", "8192"}, 0, 2)));
        assertEquals(List.of(256, 256, 256), sizes(PerfMain.sizedPeers(Options.parse(new String[] {"--size", "256"}, 0, 2))));
    }

    private static List<Integer> sizes(List<Supplier<Benchmark>> set) {
        return set.stream().map(s -> s.get().sizeBytes()).toList();
    }
}
