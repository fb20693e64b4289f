package dev.qpair.perf;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The physical limit: two threads ping-pong an 8-byte sequence number through one cache line each
 * of an off-heap segment. The lines are 128 bytes apart so that the adjacent-line prefetcher does
 * not pair them. Every other row's figures are read as multiples of this one's p50.
 */
public final class LimitPingPong implements Benchmark {

    public static final String NAME = "baseline-limit";
    private static final long PING = 0;
    private static final long PONG = 128;

    private Arena arena;
    private MemorySegment lines;
    private Peer peer;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kind kind() {
        return Kind.LATENCY;
    }

    @Override
    public int sizeBytes() {
        return Long.BYTES;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", sizeBytes()).put("transport", "one off-heap cache line per direction")
                .put("ordering", "smp_store_release / smp_load_acquire").put("wait", "busy-spin, Thread.onSpinWait");
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofShared();
        lines = arena.allocate(256, 128);
        peer = new Peer("qpair-limit-peer", peerCpu, this::echo, () -> { });
        return peer.start();
    }

    private void echo(Peer self) {
        long seen = 0;
        while (self.running()) {
            long value = Barriers.smpLoadAcquireLong(lines, PING); // smp_load_acquire(): ping before the pong store
            if (value != seen) {
                seen = value;
                Barriers.smpStoreReleaseLong(lines, PONG, value); // smp_store_release(): pong after the ping load
            } else {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public long operation(long i) {
        long value = i + 1;
        Barriers.smpStoreReleaseLong(lines, PING, value); // smp_store_release(): earlier accesses before the ping
        while (Barriers.smpLoadAcquireLong(lines, PONG) != value) { // smp_load_acquire(): pong before later accesses
            peer.checkAlive();
            Thread.onSpinWait();
        }
        return value;
    }

    @Override
    public long errors() {
        return 0;
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(() -> { });
            peer = null;
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
