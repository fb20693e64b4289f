package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;

/**
 * {@code ib_write_lat}'s post-to-completion half on the HCA model: one RDMA_WRITE of
 * {@code --size} bytes (64 by default), inline in the WQE where it fits, signaled, from QP a into
 * b's registered buffer; one operation is {@code ibv_wr_start .. ibv_wr_complete} (doorbell) up to
 * the polled CQE. Device mode thread (default): the engine thread, pinned to the peer CPU, executes
 * the WQE while the measuring thread polls; inline: the doorbell runs the engine in the posting
 * thread. The landing of the payload is checked once, by {@link #errors()}, so that the measured
 * loop carries no extra cache-line transfer. {@code --idle-qps N} adds N connected QPs to the device
 * that never ring ({@link IdleQps}); the row is then named {@code write-lat-qps<2+N>}.
 */
public final class WriteLat implements Benchmark {

    public static final String NAME = "write-lat";
    private static final int SQ_WRS = 64;

    private final int size;
    private final DeviceMode mode;
    private final boolean inline;
    private final int idleQps;
    private VerbsPair pair;
    private QueuePair qp;
    private CompletionQueue cq;
    private MemorySegment src;
    private int rkey;
    private long remote;
    private int lkey;
    private long local;
    private long errors;
    private long last = -1;

    public WriteLat(Options options) {
        this.size = options.sizeOr(64);
        this.mode = options.deviceModeOr(DeviceMode.THREAD);
        this.inline = options.inlineFor(size);
        this.idleQps = options.idleQps();
    }

    @Override
    public String name() {
        return idleQps == 0 ? NAME : NAME + "-qps" + (2 + idleQps);
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
        params.put("size_bytes", size).put("device_mode", mode.name().toLowerCase())
                .put("opcode", "RDMA_WRITE").put("inline", inline).put("signaled", true).put("post_list", 1)
                .put("signal_interval", 1).put("qps", 1).put("idle_qps", idleQps).put("qps_on_device", 2 + idleQps)
                .put("sq_wrs", SQ_WRS)
                .put("measures", "ibv_wr_start to polled send CQE (ibv_start_poll .. ibv_end_poll)");
    }

    @Override
    public String open(int peerCpu) {
        pair = new VerbsPair(mode, peerCpu, 2L * Options.MAX_SIZE, SQ_WRS, inline ? Math.max(64, size) : 0, 1);
        IdleQps.create(pair.device, idleQps);
        qp = pair.a;
        cq = pair.sendCqA;
        src = pair.segA();
        rkey = pair.mrB.rkey();
        remote = pair.addrB(0);
        lkey = pair.mrA.lkey();
        local = pair.addrA(0);
        return pair.pinNote;
    }

    @Override
    public long operation(long i) {
        src.set(JAVA_LONG, 0, i);
        qp.wrStart();
        qp.wrId(i).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(rkey, remote);
        if (inline) {
            qp.wrSetInlineData(src, 0, size);
        } else {
            qp.wrSetSge(lkey, local, size);
        }
        qp.wrComplete();
        VerbsPair.awaitCompletion(cq, null);
        long wrId = cq.wrId();
        int status = cq.status();
        cq.endPoll();
        if (wrId != i || status != WcStatus.SUCCESS) {
            errors++;
        }
        last = i;
        return wrId;
    }

    @Override
    public long errors() {
        boolean landed = last < 0 || size < Long.BYTES || pair.segB().get(JAVA_LONG, 0) == last;
        return errors + (landed ? 0 : 1);
    }

    @Override
    public void close() {
        if (pair != null) {
            pair.close();
            pair = null;
        }
    }
}
