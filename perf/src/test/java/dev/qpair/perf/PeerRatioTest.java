package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerRatioTest {

    private final Result limit = Fixtures.result("limit", Benchmark.Kind.LATENCY, 200, 200, 200);
    private final Result fastPeer = Fixtures.result("a-peer", Benchmark.Kind.LATENCY, 200, 200, 300);
    private final Result slowMachinePeer = Fixtures.result("b-peer", Benchmark.Kind.LATENCY, 350, 350, 700);
    private final Result copy = Fixtures.result("copy", Benchmark.Kind.BANDWIDTH, 200, 200, 20);
    private final List<Result> run = List.of(limit, fastPeer, slowMachinePeer, copy);

    @Test
    void latencyRowsAreComparedWithTheLowestLimitNormalizedPeer() {
        assertEquals(200.0 / 300.0, PeerRatio.of(limit, run), 1e-9);
        assertEquals(1.0, PeerRatio.of(fastPeer, run), 1e-9);
        assertEquals(2.0 / 1.5, PeerRatio.of(slowMachinePeer, run), 1e-9);
    }

    @Test
    void aRowIsComparedWithTheBestPeerOfItsOwnSizeEvenWhenAnEightBytePeerIsFaster() {
        Result sendLat = Fixtures.sizedResult("send-lat", Benchmark.Kind.LATENCY, 64, 200, 200, 900);
        Result slow64 = Fixtures.sizedResult("c-peer", Benchmark.Kind.LATENCY, 64, 200, 200, 600);
        Result fast64 = Fixtures.sizedResult("d-peer", Benchmark.Kind.LATENCY, 64, 200, 200, 450);
        List<Result> sized = List.of(limit, fastPeer, slowMachinePeer, slow64, fast64, sendLat, copy);
        assertEquals(900.0 / 450.0, PeerRatio.of(sendLat, sized), 1e-9);
        assertEquals(1.0, PeerRatio.of(fast64, sized), 1e-9);
        assertEquals(200.0 / 300.0, PeerRatio.of(limit, sized), 1e-9, "8-byte rows keep the 8-byte peers");
    }

    @Test
    void aRowWithoutPeersOfItsSizeFallsBackToEveryPeerOfItsKind() {
        Result sendLat = Fixtures.sizedResult("send-lat", Benchmark.Kind.LATENCY, 64, 200, 200, 900);
        Result peer128 = Fixtures.sizedResult("e-peer", Benchmark.Kind.LATENCY, 128, 200, 200, 250);
        assertEquals(900.0 / 300.0, PeerRatio.of(sendLat, List.of(limit, fastPeer, slowMachinePeer, sendLat)), 1e-9);
        assertEquals(900.0 / 250.0, PeerRatio.of(sendLat, List.of(fastPeer, peer128, sendLat)), 1e-9);
        assertTrue(Double.isNaN(PeerRatio.of(sendLat, List.of(limit, sendLat, copy))), "no peers at all: NaN");
    }

    @Test
    void aRowWithoutPeersOfItsKindHasNoRatioAndJsonSaysNull() {
        assertTrue(Double.isNaN(PeerRatio.of(copy, run)));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>)
                ((Map<String, Object>) MiniJson.parse(JsonReport.toJson(2, run, Set.of()))).get("results");
        assertEquals(null, results.get(3).get("ratio_to_best_peer"));
        assertTrue(results.get(3).containsKey("ratio_to_best_peer"));
        assertEquals(Boolean.TRUE, results.get(1).get("peer"));
    }
}
