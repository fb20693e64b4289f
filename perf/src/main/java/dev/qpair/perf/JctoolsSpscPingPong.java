package dev.qpair.perf;

import org.jctools.queues.SpscArrayQueue;

/**
 * Peer: JCTools {@code SpscArrayQueue}, one queue per direction, both sides busy-spinning on
 * {@code poll()}. Each direction reuses one preallocated message object, so nothing is boxed or
 * allocated per round trip. At 8 bytes the message is the sequence number alone; at a larger
 * {@code size} it holds a byte array that the sender fills from its source array before
 * {@code offer} and the receiver copies into its receive array after {@code poll} (see
 * {@link PeerPayload}).
 */
public final class JctoolsSpscPingPong implements Benchmark {

    public static final String NAME = "baseline-jctools-spsc";
    private static final int CAPACITY = 1024;

    /** One direction's message, reused for every round trip: the sequence number, or a payload of {@code size} bytes. */
    private static final class Message {
        long sequence;
        final byte[] payload;

        Message(int size) {
            payload = size == Long.BYTES ? null : new byte[size];
        }
    }

    private final int size;
    private final Message toPeer;
    private final byte[] source;
    private final byte[] receive;
    private SpscArrayQueue<Message> ping;
    private SpscArrayQueue<Message> pong;
    private Peer peer;
    private long errors;

    /** An 8-byte ping-pong: the sequence number alone. */
    public JctoolsSpscPingPong() {
        this(Long.BYTES);
    }

    /**
     * A ping-pong of {@code size}-byte messages.
     *
     * @throws IllegalArgumentException when {@code size} is outside 8..4096
     */
    public JctoolsSpscPingPong(int size) {
        this.size = PeerPayload.checkSize(size);
        toPeer = new Message(size);
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
        params.put("size_bytes", sizeBytes()).put("queue", "org.jctools.queues.SpscArrayQueue")
                .put("capacity", CAPACITY).put("wait", "busy-spin, Thread.onSpinWait")
                .put("payload", size == Long.BYTES ? "long field of a reused message object"
                        : "byte[] of a reused message object, System.arraycopy from a source array before offer"
                        + " and into a receive array after poll");
    }

    @Override
    public String open(int peerCpu) {
        ping = new SpscArrayQueue<>(CAPACITY);
        pong = new SpscArrayQueue<>(CAPACITY);
        peer = new Peer("qpair-jctools-peer", peerCpu, this::echo, () -> { });
        return peer.start();
    }

    /**
     * The peer thread works on locals only, and allocates what it writes itself, in its own TLAB:
     * nothing it touches per message shares a line with what the measuring thread stores.
     */
    private void echo(Peer self) {
        SpscArrayQueue<Message> ping = this.ping;
        SpscArrayQueue<Message> pong = this.pong;
        int size = this.size;
        Message fromPeer = new Message(size);
        boolean sized = size != Long.BYTES;
        byte[] peerSource = sized ? PeerPayload.source(size, 2) : null;
        byte[] peerReceive = sized ? new byte[size] : null;
        while (self.running()) {
            Message in = ping.poll();
            if (in == null) {
                Thread.onSpinWait();
                continue;
            }
            if (peerSource == null) {
                fromPeer.sequence = in.sequence;
            } else {
                System.arraycopy(in.payload, 0, peerReceive, 0, size);
                PeerPayload.putSequence(peerSource, PeerPayload.sequence(peerReceive));
                System.arraycopy(peerSource, 0, fromPeer.payload, 0, size);
            }
            pong.offer(fromPeer);
        }
    }

    @Override
    public long operation(long i) {
        if (source == null) {
            toPeer.sequence = i;
        } else {
            PeerPayload.putSequence(source, i);
            System.arraycopy(source, 0, toPeer.payload, 0, size);
        }
        ping.offer(toPeer);
        Message back;
        while ((back = pong.poll()) == null) {
            peer.checkAlive();
            Thread.onSpinWait();
        }
        long value;
        if (receive == null) {
            value = back.sequence;
        } else {
            System.arraycopy(back.payload, 0, receive, 0, size);
            value = PeerPayload.sequence(receive);
        }
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
            peer.stop(() -> { });
            peer = null;
        }
    }
}
