package dev.qpair.perf;

import org.agrona.BufferUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Peer, bandwidth: a one-way stream of 8-byte sequence numbers through one Agrona
 * {@code OneToOneRingBuffer} (64 KiB, cache-line-aligned direct buffer), written with the zero-copy
 * {@code tryClaim}/{@code commit} pair (busy-spinning while full) and read by the peer thread with
 * {@code read(handler)} (every message available per call, Agrona's batch read). Bounds checks as in
 * {@link AgronaRingPingPong}. One operation is one message; the consumer checks the order.
 */
public final class AgronaRingStream implements Benchmark {

    public static final String NAME = "baseline-agrona-o2o-bw";
    private static final int CAPACITY = 64 * 1024;
    private static final int MSG_TYPE = 1;
    private static final int PER_SAMPLE = 16;

    private final StreamTally tally = new StreamTally();
    private OneToOneRingBuffer ring;
    private Peer peer;
    private long produced;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean peer() {
        return true;
    }

    @Override
    public Kind kind() {
        return Kind.BANDWIDTH;
    }

    @Override
    public int sizeBytes() {
        return Long.BYTES;
    }

    @Override
    public int opsPerSample() {
        return PER_SAMPLE;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", sizeBytes()).put("ring", "org.agrona.concurrent.ringbuffer.OneToOneRingBuffer")
                .put("capacity", CAPACITY).put("write", "tryClaim/commit").put("read", "read(handler), batch")
                .put("wait", "busy-spin, Thread.onSpinWait").put("bounds_checks", UnsafeBuffer.SHOULD_BOUNDS_CHECK)
                .put("measures", "messages written per second, one way, consumer on cpu_peer");
    }

    @Override
    public String open(int peerCpu) {
        ring = new OneToOneRingBuffer(new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        MessageHandler take = (type, buffer, index, length) -> tally.take(buffer.getLong(index));
        peer = new Peer("qpair-agrona-stream-consumer", peerCpu, self -> {
            while (self.running()) {
                if (ring.read(take) == 0) {
                    Thread.onSpinWait();
                }
            }
        }, () -> { });
        return peer.start();
    }

    @Override
    public long operation(long i) {
        int index;
        int spins = 0;
        while ((index = ring.tryClaim(MSG_TYPE, Long.BYTES)) <= 0) {
            Thread.onSpinWait();
            if ((++spins & 0xffff) == 0) {
                peer.checkAlive();
            }
        }
        ring.buffer().putLong(index, produced++);
        ring.commit(index);
        return i;
    }

    @Override
    public long errors() {
        return tally.errors(produced, peer);
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(() -> { });
            peer = null;
        }
    }
}
