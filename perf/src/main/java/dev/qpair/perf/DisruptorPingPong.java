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
 * the event handler inlined. Events are preallocated; the payload is one 8-byte sequence number.
 */
public final class DisruptorPingPong implements Benchmark {

    public static final String NAME = "baseline-disruptor";
    private static final int SIZE = 1024;

    /** The ring slot: one sequence number. */
    private static final class LongEvent {
        long value;
    }

    private RingBuffer<LongEvent> ping;
    private RingBuffer<LongEvent> pong;
    private SequenceBarrier pingBarrier;
    private SequenceBarrier pongBarrier;
    private Sequence pingConsumed;
    private Sequence pongConsumed;
    private long pongNext;
    private Peer peer;
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
        params.put("size_bytes", sizeBytes()).put("ring", "com.lmax.disruptor.RingBuffer single producer")
                .put("capacity", SIZE).put("wait", "BusySpinWaitStrategy");
    }

    @Override
    public String open(int peerCpu) {
        ping = RingBuffer.createSingleProducer(LongEvent::new, SIZE, new BusySpinWaitStrategy());
        pong = RingBuffer.createSingleProducer(LongEvent::new, SIZE, new BusySpinWaitStrategy());
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

    private void echo(Peer self) throws InterruptedException, TimeoutException {
        long next = 0;
        try {
            while (self.running()) {
                long available = pingBarrier.waitFor(next);
                for (; next <= available; next++) {
                    long value = ping.get(next).value;
                    long slot = pong.next();
                    pong.get(slot).value = value;
                    pong.publish(slot);
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
        ping.get(slot).value = i;
        ping.publish(slot);
        try {
            pongBarrier.waitFor(pongNext);
        } catch (AlertException | InterruptedException | TimeoutException e) {
            peer.checkAlive();
            throw new IllegalStateException("disruptor pong wait ended", e);
        }
        long value = pong.get(pongNext).value;
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
