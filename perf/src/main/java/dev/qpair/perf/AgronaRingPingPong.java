package dev.qpair.perf;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Peer: Agrona {@code OneToOneRingBuffer}, one per direction over cache-line-aligned direct
 * buffers, written with the zero-copy {@code tryClaim}/{@code commit} pair and read with
 * {@code read(handler, 1)}, both sides busy-spinning. Bounds checks are off when the JVM starts
 * with {@code -Dagrona.disable.bounds.checks=true} (the launcher sets it); the row records which.
 */
public final class AgronaRingPingPong implements Benchmark, MessageHandler {

    public static final String NAME = "baseline-agrona-o2o";
    private static final int CAPACITY = 64 * 1024;
    private static final int MSG_TYPE = 1;

    private OneToOneRingBuffer ping;
    private OneToOneRingBuffer pong;
    private Peer peer;
    private long received;
    private long errors;

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
        return Kind.LATENCY;
    }

    @Override
    public int sizeBytes() {
        return Long.BYTES;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", sizeBytes()).put("ring", "org.agrona.concurrent.ringbuffer.OneToOneRingBuffer")
                .put("capacity", CAPACITY).put("write", "tryClaim/commit").put("wait", "busy-spin, Thread.onSpinWait")
                .put("bounds_checks", UnsafeBuffer.SHOULD_BOUNDS_CHECK);
    }

    private static OneToOneRingBuffer newRing() {
        return new OneToOneRingBuffer(new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    @Override
    public String open(int peerCpu) {
        ping = newRing();
        pong = newRing();
        MessageHandler echo = (type, buffer, index, length) -> send(pong, buffer.getLong(index));
        peer = new Peer("qpair-agrona-peer", peerCpu, self -> {
            while (self.running()) {
                if (ping.read(echo, 1) == 0) {
                    Thread.onSpinWait();
                }
            }
        }, () -> { });
        return peer.start();
    }

    private static void send(OneToOneRingBuffer ring, long value) {
        int index;
        while ((index = ring.tryClaim(MSG_TYPE, Long.BYTES)) <= 0) {
            Thread.onSpinWait();
        }
        ring.buffer().putLong(index, value);
        ring.commit(index);
    }

    @Override
    public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        received = buffer.getLong(index);
    }

    @Override
    public long operation(long i) {
        send(ping, i);
        while (pong.read(this, 1) == 0) {
            peer.checkAlive();
            Thread.onSpinWait();
        }
        if (received != i) {
            errors++;
        }
        return received;
    }

    @Override
    public long errors() {
        return errors;
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(() -> { });
            peer = null;
        }
    }
}
