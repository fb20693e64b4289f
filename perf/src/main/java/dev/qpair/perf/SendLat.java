package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;

/**
 * {@code ib_send_lat} on the HCA model: two application threads ping-pong a {@code --size}-byte
 * (64 by default) SEND/RECV through RC QPs a (the measuring thread) and b (the peer thread, pinned
 * to the peer CPU). One operation: a SENDs its sequence number, b's thread polls the receive CQE
 * and SENDs the number back, a polls its receive CQE. Device mode inline (default): each side's
 * doorbell runs the engine in the posting thread, so two threads on two cores and no third;
 * thread mode adds the engine thread, unpinned. Every receive is posted before the peer can send
 * to it, so no SEND ever meets RNR; sends are signaled one in {@code --signal} and that completion
 * is polled to free the send-queue slots. Each side pre-posts {@code recv_depth} receives and
 * replenishes what it polls, {@code recv_repost_batch} at a time in one batch, right after its
 * next SEND: while the peer works, not between a receive and the reply to it (perftest reposts
 * each receive there; a batch there made one round trip in 16 the slowest of all). The receive
 * CQs have 128-byte CQEs, so a SEND of up to 96 bytes travels in the CQE and the poll copies it
 * into the posted receive buffer before it returns the completion (scatter to CQE, see
 * {@code CompletionQueue}); larger ones go straight to the buffer.
 */
public final class SendLat implements Benchmark {

    public static final String NAME = "send-lat";
    private static final int SQ_WRS = 64;
    private static final int RECV_DEPTH = 64;
    /** Receives reposted together, under one doorbell-record update, once this many were polled. */
    private static final int REPOST_BATCH = 16;
    /** Receive buffers start a page after the send buffers, so the two never share a line. */
    private static final long RECV_AT = Options.MAX_SIZE;

    private final int size;
    private final DeviceMode mode;
    private final boolean inline;
    private final int signalInterval;
    private VerbsPair pair;
    private Side a;
    private Peer peer;
    private long errors;
    private volatile long peerErrors;

    /** One side's QP, CQs, buffers and send counter; used by one thread only. */
    private final class Side {
        final QueuePair qp;
        final CompletionQueue sendCq;
        final CompletionQueue recvCq;
        final MemorySegment buf;
        final long base;
        final int lkey;
        /**
         * The send counter at index 16, the receives polled since the last repost at 17 and the
         * receives due for reposting at 18: 128 bytes from either end, so they never share a line
         * with the other side's.
         */
        final long[] sent = new long[35];

        Side(QueuePair qp, CompletionQueue sendCq, CompletionQueue recvCq, MemorySegment buf, int lkey) {
            this.qp = qp;
            this.sendCq = sendCq;
            this.recvCq = recvCq;
            this.buf = buf;
            this.base = buf.address();
            this.lkey = lkey;
        }

        /** Posts {@code n} receives (all into the one receive buffer) under one doorbell-record update. */
        void postRecvs(int n) {
            for (int k = 0; k < n; k++) {
                qp.recvWr(0).recvAddSge(lkey, base + RECV_AT, size);
            }
            qp.recvComplete();
        }

        /** SENDs {@code value} in the first 8 bytes of the payload; polls the send CQE when this one is signaled. */
        void send(long value, Peer watch) {
            buf.set(JAVA_LONG, 0, value);
            long n = ++sent[16];
            boolean signaled = n % signalInterval == 0;
            qp.wrStart();
            qp.wrId(n).wrFlags(signaled ? SendFlags.SIGNALED : 0).wrSend();
            if (inline) {
                qp.wrSetInlineData(buf, 0, size);
            } else {
                qp.wrSetSge(lkey, base, size);
            }
            qp.wrComplete();
            if (signaled) {
                VerbsPair.awaitCompletion(sendCq, watch);
                int status = sendCq.status();
                sendCq.endPoll();
                if (status != WcStatus.SUCCESS) {
                    throw new IllegalStateException("send completion status " + status);
                }
            }
        }

        /** Takes the receive CQE that is there (the caller saw startPoll succeed); returns the payload's value or -1. */
        long takeRecv() {
            int status = recvCq.status();
            int len = recvCq.byteLen();
            recvCq.endPoll();
            long value = status == WcStatus.SUCCESS && len == size ? buf.get(JAVA_LONG, RECV_AT) : -1;
            if (++sent[17] == REPOST_BATCH) {
                sent[17] = 0;
                sent[18] = REPOST_BATCH;
            }
            return value;
        }

        /** Reposts the receives {@link #takeRecv} took, once a batch is due: called after a send, while the peer works. */
        void repostDue() {
            if (sent[18] != 0) {
                postRecvs((int) sent[18]);
                sent[18] = 0;
            }
        }
    }

    public SendLat(Options options) {
        this.size = Math.max(Long.BYTES, options.sizeOr(64));
        this.mode = options.deviceModeOr(DeviceMode.INLINE);
        this.inline = options.inlineFor(size);
        this.signalInterval = Math.min(options.signalInterval(), SQ_WRS / 2);
    }

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
        return size;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", size).put("device_mode", mode.name().toLowerCase()).put("opcode", "SEND/RECV")
                .put("inline", inline).put("post_list", 1).put("signal_interval", signalInterval).put("qps", 2)
                .put("recv_depth", RECV_DEPTH).put("recv_repost_batch", REPOST_BATCH).put("recv_repost", "after the next send").put("recv_cqe_bytes", Cqe.LARGE_SIZE)
                .put("scatter_to_cqe", size <= Cqe.maxInlineData(Cqe.LARGE_SIZE)).put("engine_cpu", mode == DeviceMode.THREAD ? "unpinned" : "posting thread")
                .put("measures", "round trip: a SEND, b polls RECV and SENDs back, a polls RECV");
    }

    @Override
    public String open(int peerCpu) {
        pair = new VerbsPair(mode, -1, 2L * Options.MAX_SIZE, SQ_WRS, inline ? Math.max(64, size) : 0, RECV_DEPTH, Cqe.LARGE_SIZE);
        a = new Side(pair.a, pair.sendCqA, pair.recvCqA, pair.segA(), pair.mrA.lkey());
        Side b = new Side(pair.b, pair.sendCqB, pair.recvCqB, pair.segB(), pair.mrB.lkey());
        a.postRecvs(RECV_DEPTH);
        b.postRecvs(RECV_DEPTH);
        peer = new Peer("qpair-send-lat-peer", peerCpu, self -> echo(self, b), () -> { });
        return peer.start();
    }

    private void echo(Peer self, Side b) {
        long bad = 0;
        while (self.running()) {
            if (!b.recvCq.startPoll()) {
                Thread.onSpinWait();
                continue;
            }
            long value = b.takeRecv();
            if (value < 0) {
                peerErrors = ++bad;
            }
            b.send(value, null);
            b.repostDue();
        }
    }

    @Override
    public long operation(long i) {
        a.send(i, peer);
        a.repostDue();
        VerbsPair.awaitCompletion(a.recvCq, peer);
        if (a.takeRecv() != i) {
            errors++;
        }
        return i;
    }

    @Override
    public long errors() {
        return errors + peerErrors;
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(() -> { });
            peer = null;
        }
        if (pair != null) {
            pair.close();
            pair = null;
        }
    }
}
