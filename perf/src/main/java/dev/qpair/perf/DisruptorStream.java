package dev.qpair.perf;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;

/**
 * Peer, bandwidth: a one-way stream of 8-byte sequence numbers through one LMAX Disruptor
 * single-producer {@code RingBuffer} (1024 slots, {@code BusySpinWaitStrategy}); the peer thread
 * consumes in batches through a {@code SequenceBarrier} and publishes its progress in a gating
 * {@code Sequence}, as a {@code BatchEventProcessor} does. The producer busy-spins on
 * {@code hasAvailableCapacity} before {@code next()}, whose own wait parks for a nanosecond per try.
 * One operation is one event; the consumer checks the order.
 */
public final class DisruptorStream implements Benchmark {

    public static final String NAME = "baseline-disruptor-bw";
    private static final int SIZE = 1024;
    private static final int PER_SAMPLE = 16;

    /** The ring slot: one sequence number. */
    private static final class LongEvent {
        long value;
    }

    private final StreamTally tally = new StreamTally();
    private RingBuffer<LongEvent> ring;
    private SequenceBarrier barrier;
    private Sequence consumed;
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
        params.put("size_bytes", sizeBytes()).put("ring", "com.lmax.disruptor.RingBuffer single producer")
                .put("capacity", SIZE).put("wait", "BusySpinWaitStrategy")
                .put("measures", "events published per second, one way, consumer on cpu_peer");
    }

    @Override
    public String open(int peerCpu) {
        ring = RingBuffer.createSingleProducer(LongEvent::new, SIZE, new BusySpinWaitStrategy());
        consumed = new Sequence();
        ring.addGatingSequences(consumed);
        barrier = ring.newBarrier();
        peer = new Peer("qpair-disruptor-stream-consumer", peerCpu, this::consume, barrier::alert);
        return peer.start();
    }

    private void consume(Peer self) throws InterruptedException, TimeoutException {
        long next = 0;
        try {
            while (self.running()) {
                long available = barrier.waitFor(next);
                for (; next <= available; next++) {
                    tally.take(ring.get(next).value);
                }
                consumed.set(available);
            }
        } catch (AlertException stopped) {
            // stop() alerts the barrier to end the wait
        }
    }

    @Override
    public long operation(long i) {
        int spins = 0;
        while (!ring.hasAvailableCapacity(1)) {
            Thread.onSpinWait();
            if ((++spins & 0xffff) == 0) {
                peer.checkAlive();
            }
        }
        long slot = ring.next();
        ring.get(slot).value = produced++;
        ring.publish(slot);
        return i;
    }

    @Override
    public long errors() {
        return tally.errors(produced, peer);
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(barrier::alert);
            peer = null;
        }
    }
}
