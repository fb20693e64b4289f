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
 * {@code read(handler, 1)}, both sides busy-spinning. At 8 bytes the record is the sequence number,
 * put and got in place; at a larger {@code size} the sender {@code putBytes} its whole source
 * buffer into the claimed record and the handler {@code getBytes} the record into a receive buffer
 * (see {@link PeerPayload}). Bounds checks are off when the JVM starts with
 * {@code -Dagrona.disable.bounds.checks=true} (the launcher sets it); the row records which.
 */
public final class AgronaRingPingPong implements Benchmark, MessageHandler {

    public static final String NAME = "baseline-agrona-o2o";
    private static final int CAPACITY = 64 * 1024;
    private static final int MSG_TYPE = 1;

    private final int size;
    private final UnsafeBuffer source;
    private final UnsafeBuffer receive;
    private OneToOneRingBuffer ping;
    private OneToOneRingBuffer pong;
    private Peer peer;
    private long received;
    private long errors;

    /** An 8-byte ping-pong: the sequence number alone. */
    public AgronaRingPingPong() {
        this(Long.BYTES);
    }

    /**
     * A ping-pong of {@code size}-byte records.
     *
     * @throws IllegalArgumentException when {@code size} is outside 8..4096
     */
    public AgronaRingPingPong(int size) {
        this.size = PeerPayload.checkSize(size);
        source = size == Long.BYTES ? null : sourceBuffer(size, 1);
        receive = size == Long.BYTES ? null : alignedBuffer(size);
    }

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
        return size;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", sizeBytes()).put("ring", "org.agrona.concurrent.ringbuffer.OneToOneRingBuffer")
                .put("capacity", CAPACITY).put("write", "tryClaim/commit").put("wait", "busy-spin, Thread.onSpinWait")
                .put("payload", size == Long.BYTES ? "putLong into the claimed record, getLong in the handler"
                        : "putBytes from a source buffer into the claimed record, getBytes into a receive buffer"
                        + " in the handler")
                .put("bounds_checks", UnsafeBuffer.SHOULD_BOUNDS_CHECK);
    }

    private static UnsafeBuffer alignedBuffer(int bytes) {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 64));
    }

    private static UnsafeBuffer sourceBuffer(int size, int seed) {
        UnsafeBuffer buffer = alignedBuffer(size);
        buffer.putBytes(0, PeerPayload.source(size, seed));
        return buffer;
    }

    private static OneToOneRingBuffer newRing() {
        return new OneToOneRingBuffer(alignedBuffer(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    }

    @Override
    public String open(int peerCpu) {
        ping = newRing();
        pong = newRing();
        // The peer thread's code captures locals, not this: the measuring thread stores received on every round trip.
        OneToOneRingBuffer pingRing = ping;
        OneToOneRingBuffer pongRing = pong;
        int bytes = size;
        MessageHandler echo;
        if (bytes == Long.BYTES) {
            echo = (type, buffer, index, length) -> send(pongRing, buffer.getLong(index));
        } else {
            UnsafeBuffer peerSource = sourceBuffer(bytes, 2);
            UnsafeBuffer peerReceive = alignedBuffer(bytes);
            echo = (type, buffer, index, length) -> {
                buffer.getBytes(index, peerReceive, 0, bytes);
                peerSource.putLong(0, peerReceive.getLong(0));
                send(pongRing, peerSource, bytes);
            };
        }
        peer = new Peer("qpair-agrona-peer", peerCpu, self -> {
            while (self.running()) {
                if (pingRing.read(echo, 1) == 0) {
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

    private static void send(OneToOneRingBuffer ring, UnsafeBuffer payload, int size) {
        int index;
        while ((index = ring.tryClaim(MSG_TYPE, size)) <= 0) {
            Thread.onSpinWait();
        }
        ring.buffer().putBytes(index, payload, 0, size);
        ring.commit(index);
    }

    @Override
    public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        if (receive == null) {
            received = buffer.getLong(index);
        } else if (length == size) {
            buffer.getBytes(index, receive, 0, size);
            received = receive.getLong(0);
        } else {
            received = -1;
        }
    }

    @Override
    public long operation(long i) {
        if (source == null) {
            send(ping, i);
        } else {
            source.putLong(0, i);
            send(ping, source, size);
        }
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
