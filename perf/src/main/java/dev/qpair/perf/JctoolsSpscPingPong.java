package dev.qpair.perf;

import org.jctools.queues.SpscArrayQueue;

/**
 * Peer: JCTools {@code SpscArrayQueue}, one queue per direction, both sides busy-spinning on
 * {@code poll()}. The 8-byte sequence number travels in a preallocated message object per
 * direction, so nothing is boxed or allocated per round trip.
 */
public final class JctoolsSpscPingPong implements Benchmark {

    public static final String NAME = "baseline-jctools-spsc";
    private static final int CAPACITY = 1024;

    /** The payload: one sequence number, reused for every round trip in its direction. */
    private static final class Message {
        long sequence;
    }

    private final Message toPeer = new Message();
    private final Message fromPeer = new Message();
    private SpscArrayQueue<Message> ping;
    private SpscArrayQueue<Message> pong;
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
        params.put("size_bytes", sizeBytes()).put("queue", "org.jctools.queues.SpscArrayQueue")
                .put("capacity", CAPACITY).put("wait", "busy-spin, Thread.onSpinWait");
    }

    @Override
    public String open(int peerCpu) {
        ping = new SpscArrayQueue<>(CAPACITY);
        pong = new SpscArrayQueue<>(CAPACITY);
        peer = new Peer("qpair-jctools-peer", peerCpu, this::echo, () -> { });
        return peer.start();
    }

    private void echo(Peer self) {
        while (self.running()) {
            Message in = ping.poll();
            if (in == null) {
                Thread.onSpinWait();
                continue;
            }
            fromPeer.sequence = in.sequence;
            pong.offer(fromPeer);
        }
    }

    @Override
    public long operation(long i) {
        toPeer.sequence = i;
        ping.offer(toPeer);
        Message back;
        while ((back = pong.poll()) == null) {
            peer.checkAlive();
            Thread.onSpinWait();
        }
        if (back.sequence != i) {
            errors++;
        }
        return back.sequence;
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
