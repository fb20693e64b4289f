package dev.qpair.perf;

import org.jctools.queues.SpscArrayQueue;

/**
 * Peer, bandwidth: a one-way stream of 8-byte sequence numbers through one JCTools
 * {@code SpscArrayQueue}, the measuring thread offering (busy-spinning while the queue is full) and
 * the peer thread polling. The numbers travel in a pool of preallocated message objects twice the
 * queue's capacity: a message is reused only after the consumer has polled the one a capacity
 * after it, so it has finished reading it. One operation is one message; the consumer checks the
 * order ({@link StreamTally}).
 */
public final class JctoolsSpscStream implements Benchmark {

    public static final String NAME = "baseline-jctools-spsc-bw";
    private static final int CAPACITY = 1024;
    private static final int PER_SAMPLE = 16;

    /** The payload: one sequence number. */
    private static final class Message {
        long sequence;
    }

    private final Message[] pool = new Message[2 * CAPACITY];
    private final StreamTally tally = new StreamTally();
    private SpscArrayQueue<Message> queue;
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
        params.put("size_bytes", sizeBytes()).put("queue", "org.jctools.queues.SpscArrayQueue")
                .put("capacity", CAPACITY).put("wait", "busy-spin, Thread.onSpinWait")
                .put("measures", "messages offered per second, one way, consumer on cpu_peer");
    }

    @Override
    public String open(int peerCpu) {
        for (int k = 0; k < pool.length; k++) {
            pool[k] = new Message();
        }
        queue = new SpscArrayQueue<>(CAPACITY);
        peer = new Peer("qpair-jctools-stream-consumer", peerCpu, self -> {
            while (self.running()) {
                Message m = queue.poll();
                if (m == null) {
                    Thread.onSpinWait();
                    continue;
                }
                tally.take(m.sequence);
            }
        }, () -> { });
        return peer.start();
    }

    @Override
    public long operation(long i) {
        Message m = pool[(int) (produced & (pool.length - 1))];
        m.sequence = produced;
        int spins = 0;
        while (!queue.offer(m)) {
            Thread.onSpinWait();
            if ((++spins & 0xffff) == 0) {
                peer.checkAlive();
            }
        }
        produced++;
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
