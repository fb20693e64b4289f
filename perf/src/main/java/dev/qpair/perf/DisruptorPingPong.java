package dev.qpair.perf;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;

/**
 * Peer: the LMAX Disruptor, one single-producer {@code RingBuffer} per direction with
 * {@code BusySpinWaitStrategy}. Each side consumes through a {@code SequenceBarrier} and publishes
 * its progress in a gating {@code Sequence}, which is what a {@code BatchEventProcessor} does, with
 * the event handler inlined. Events are preallocated. At 8 bytes the event is the sequence number
 * alone; at a larger {@code size} each event holds a byte array that the publisher fills from its
 * source array with {@code System.arraycopy} and the consumer copies into its receive array (see
 * {@link PeerPayload}).
 */
public final class DisruptorPingPong implements Benchmark {

    public static final String NAME = "baseline-disruptor";
    private static final int SIZE = 1024;

    /** The ring slot: the sequence number, or a payload of {@code size} bytes. */
    private static final class Event {
        long value;
        final byte[] payload;

        Event(int size) {
            payload = size == Long.BYTES ? null : new byte[size];
        }
    }

    private final int size;
    private final byte[] source;
    private final byte[] receive;
    private RingBuffer<Event> ping;
    private RingBuffer<Event> pong;
    private SequenceBarrier pingBarrier;
    private SequenceBarrier pongBarrier;
    private Sequence pingConsumed;
    private Sequence pongConsumed;
    private long pongNext;
    private Peer peer;
    private long errors;

    /** An 8-byte ping-pong: the sequence number alone. */
    public DisruptorPingPong() {
        this(Long.BYTES);
    }

    /**
     * A ping-pong of {@code size}-byte events.
     *
     * @throws IllegalArgumentException when {@code size} is outside 8..4096
     */
    public DisruptorPingPong(int size) {
        this.size = PeerPayload.checkSize(size);
        boolean sized = size != Long.BYTES;
        source = sized ? PeerPayload.source(size, 1) : null;
        receive = sized ? new byte[size] : null;
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
        params.put("size_bytes", sizeBytes()).put("ring", "com.lmax.disruptor.RingBuffer single producer")
                .put("capacity", SIZE).put("wait", "BusySpinWaitStrategy")
                .put("payload", size == Long.BYTES ? "long field of a preallocated event"
                        : "byte[] of a preallocated event, System.arraycopy from a source array before publish and"
                        + " into a receive array after the barrier");
    }

    @Override
    public String open(int peerCpu) {
        ping = RingBuffer.createSingleProducer(() -> new Event(size), SIZE, new BusySpinWaitStrategy());
        pong = RingBuffer.createSingleProducer(() -> new Event(size), SIZE, new BusySpinWaitStrategy());
        pingConsumed = new Sequence();
        pongConsumed = new Sequence();
        ping.addGatingSequences(pingConsumed);
        pong.addGatingSequences(pongConsumed);
        pingBarrier = ping.newBarrier();
        pongBarrier = pong.newBarrier();
        pongNext = 0;
        peer = new Peer("qpair-disruptor-peer", peerCpu, this::echo, pongBarrier::alert);
        return peer.start();
    }

    /**
     * The peer thread works on locals only: this object's fields share lines with {@code pongNext},
     * which the measuring thread stores on every round trip; what it writes it allocates itself.
     */
    private void echo(Peer self) throws InterruptedException, TimeoutException {
        RingBuffer<Event> ping = this.ping;
        RingBuffer<Event> pong = this.pong;
        SequenceBarrier pingBarrier = this.pingBarrier;
        Sequence pingConsumed = this.pingConsumed;
        int size = this.size;
        boolean sized = size != Long.BYTES;
        byte[] peerSource = sized ? PeerPayload.source(size, 2) : null;
        byte[] peerReceive = sized ? new byte[size] : null;
        long next = 0;
        try {
            while (self.running()) {
                long available = pingBarrier.waitFor(next);
                for (; next <= available; next++) {
                    if (peerSource == null) {
                        long value = ping.get(next).value;
                        long slot = pong.next();
                        pong.get(slot).value = value;
                        pong.publish(slot);
                    } else {
                        System.arraycopy(ping.get(next).payload, 0, peerReceive, 0, size);
                        PeerPayload.putSequence(peerSource, PeerPayload.sequence(peerReceive));
                        long slot = pong.next();
                        System.arraycopy(peerSource, 0, pong.get(slot).payload, 0, size);
                        pong.publish(slot);
                    }
                }
                pingConsumed.set(available);
            }
        } catch (AlertException stopped) {
            // stop() alerts the barrier to end the wait
        }
    }

    @Override
    public long operation(long i) {
        long slot = ping.next();
        if (source == null) {
            ping.get(slot).value = i;
        } else {
            PeerPayload.putSequence(source, i);
            System.arraycopy(source, 0, ping.get(slot).payload, 0, size);
        }
        ping.publish(slot);
        try {
            pongBarrier.waitFor(pongNext);
        } catch (AlertException | InterruptedException | TimeoutException e) {
            peer.checkAlive();
            throw new IllegalStateException("disruptor pong wait ended", e);
        }
        long value;
        if (receive == null) {
            value = pong.get(pongNext).value;
        } else {
            System.arraycopy(pong.get(pongNext).payload, 0, receive, 0, size);
            value = PeerPayload.sequence(receive);
        }
        pongConsumed.set(pongNext);
        pongNext++;
        if (value != i) {
            errors++;
        }
        return value;
    }

    @Override
    public long errors() {
        return errors;
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(pingBarrier::alert);
            peer = null;
        }
    }
}
