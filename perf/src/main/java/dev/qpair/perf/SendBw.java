package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QpInitAttr;
import dev.qpair.hca.QueuePair;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * {@code ib_send_bw} on the HCA model: a stream of {@code --size}-byte (64 by default) SENDs from
 * QPs a[k] to b[k], {@code --post-list} WRs per doorbell, one in {@code --signal} signaled, over
 * {@code --qps} QP pairs (see {@link BwSender}), on the measuring thread; the receiving application
 * is the peer thread, pinned to the peer CPU, which polls b's shared receive CQ and reposts each
 * receive at once ({@value #RECV_DEPTH} receives per QP, posted before the stream starts; a SEND
 * that finds none waits in RNR, as on an RC QP). One operation is one SEND; a sample is one
 * doorbell's batch. Device mode inline (default): each doorbell runs the engine in the posting
 * thread, so two threads on two cores; thread mode adds the engine thread, unpinned.
 * {@link #errors()} waits (up to 2 s) until every SEND was received, then counts failed send
 * completions, receives with a bad status or length, receives whose payload number went backwards
 * on its QP (all receives of a QP land in the pair's one slice of b's buffer, so a later SEND may
 * have overwritten an earlier one before it was read: numbers must not decrease), and the
 * difference between SENDs posted and receives polled.
 */
public final class SendBw implements Benchmark {

    public static final String NAME = "send-bw";
    static final int RECV_DEPTH = 256;
    private static final VarHandle RECEIVED;
    private static final VarHandle BAD;
    private static final long SETTLE_NS = 2_000_000_000L;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RECEIVED = l.findVarHandle(SendBw.class, "received", long.class);
            BAD = l.findVarHandle(SendBw.class, "badReceives", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int size;
    private final DeviceMode mode;
    private final boolean inline;
    private final int postList;
    private final int signal;
    private final int qps;
    private VerbsFleet fleet;
    private BwSender sender;
    private Peer peer;
    private long sent;
    @SuppressWarnings("unused")
    private long received;
    @SuppressWarnings("unused")
    private long badReceives;

    public SendBw(Options options) {
        this.size = Math.max(Long.BYTES, options.sizeOr(64));
        this.mode = options.deviceModeOr(DeviceMode.INLINE);
        this.inline = options.inlineFor(size);
        this.postList = options.postList();
        this.signal = options.signalInterval();
        this.qps = options.qps();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kind kind() {
        return Kind.BANDWIDTH;
    }

    @Override
    public int sizeBytes() {
        return size;
    }

    @Override
    public int opsPerSample() {
        return postList;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", size).put("device_mode", mode.name().toLowerCase()).put("opcode", "SEND/RECV")
                .put("inline", inline).put("post_list", postList).put("signal_interval", signal).put("qps", qps)
                .put("sq_wrs", BwSender.sqWrs(postList, signal)).put("recv_depth", RECV_DEPTH)
                .put("engine_cpu", mode == DeviceMode.THREAD ? "unpinned" : "posting thread")
                .put("measures", "SENDs posted per second; the peer thread polls and reposts every receive");
    }

    @Override
    public String open(int peerCpu) {
        int sqWrs = BwSender.sqWrs(postList, signal);
        QpInitAttr attr = new QpInitAttr().maxSendWr(sqWrs).maxRecvWr(RECV_DEPTH).maxSendSge(1).maxRecvSge(1)
                .maxInlineData(inline ? Math.max(64, size) : 0);
        int sendCqDepth = Integer.highestOneBit(Math.max(64, qps * (sqWrs / signal + 2)) * 2 - 1);
        int recvCqDepth = Integer.highestOneBit(qps * RECV_DEPTH * 2 - 1);
        fleet = new VerbsFleet(mode, -1, qps, attr, sendCqDepth, recvCqDepth, WriteBw.stride(size));
        sender = new BwSender(fleet, WrOpcode.SEND, size, inline, postList, signal);
        int lkey = fleet.mrB.lkey();
        long base = fleet.segB().address();
        for (int q = 0; q < qps; q++) {
            for (int r = 0; r < RECV_DEPTH; r++) {
                fleet.b[q].postRecv(q, lkey, base + q * fleet.stride, size);
            }
        }
        peer = new Peer("qpair-send-bw-receiver", peerCpu, this::receive, () -> { });
        return peer.start();
    }

    private void receive(Peer self) {
        CompletionQueue cq = fleet.recvCqB;
        QueuePair[] b = fleet.b;
        MemorySegment buf = fleet.segB();
        long stride = fleet.stride;
        int lkey = fleet.mrB.lkey();
        long base = buf.address();
        long[] lastSeen = new long[qps];
        Arrays.fill(lastSeen, -1);
        long count = 0;
        long bad = 0;
        while (self.running()) {
            if (!cq.startPoll()) {
                Thread.onSpinWait();
                continue;
            }
            int q = (int) cq.wrId();
            int status = cq.status();
            int len = cq.byteLen();
            cq.endPoll();
            if (q < 0 || q >= qps) {
                bad++;
            } else {
                long value = buf.get(JAVA_LONG, q * stride);
                if (status != WcStatus.SUCCESS || len != size || value < lastSeen[q]) {
                    bad++;
                }
                lastSeen[q] = Math.max(lastSeen[q], value);
                b[q].postRecv(q, lkey, base + q * stride, size);
            }
            count++;
            BAD.setRelease(this, bad); // smp_store_release(): the tallies before errors() reads them on the measuring thread
            RECEIVED.setRelease(this, count); // smp_store_release(): the count after the tallies it covers
        }
    }

    @Override
    public long operation(long i) {
        sender.post(i, peer);
        sent++;
        return i;
    }

    @Override
    public long errors() {
        long posted = sent;
        long deadline = System.nanoTime() + SETTLE_NS;
        long got;
        // smp_load_acquire(): the receiver's count, then the tallies it published before it
        while ((got = (long) RECEIVED.getAcquire(this)) < posted && System.nanoTime() - deadline < 0 && peer.alive()) {
            Thread.onSpinWait();
        }
        long bad = (long) BAD.getAcquire(this); // smp_load_acquire(): after the count above
        return sender.badCompletions() + bad + Math.abs(posted - got);
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(() -> { });
            peer = null;
        }
        if (fleet != null) {
            fleet.close();
            fleet = null;
        }
    }
}
