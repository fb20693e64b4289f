package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;

/**
 * {@code ib_read_lat} on the HCA model: one RDMA_READ of {@code --size} bytes (64 by default) from
 * b's registered buffer into a's, signaled; one operation is {@code ibv_wr_start .. ibv_wr_complete}
 * (doorbell) up to the polled CQE, which on a READ means the data has landed. A READ carries no
 * inline data: its one SGE names where the data lands. Device mode thread (default): the engine
 * thread, pinned to the peer CPU, executes the WQE while the measuring thread polls; inline: the
 * doorbell runs the engine in the posting thread. b's buffer holds a byte pattern written at open;
 * {@link #errors()} compares what landed in a's buffer with it once, so that the measured loop
 * carries no extra cache-line transfer.
 */
public final class ReadLat implements Benchmark {

    public static final String NAME = "read-lat";
    private static final int SQ_WRS = 64;

    private final int size;
    private final DeviceMode mode;
    private VerbsPair pair;
    private QueuePair qp;
    private CompletionQueue cq;
    private int rkey;
    private long remote;
    private int lkey;
    private long local;
    private long errors;
    private long completed;

    /** Takes {@code --size} and {@code --device-mode}; {@code --inline} does not apply (see {@link #check}). */
    public ReadLat(Options options) {
        this.size = options.sizeOr(64);
        this.mode = options.deviceModeOr(DeviceMode.THREAD);
    }

    /**
     * Rejects what the {@code read-lat} subcommand cannot run with.
     *
     * @throws IllegalArgumentException when {@code --inline on} was asked: a READ has no inline form
     */
    static void check(Options options) {
        if (options.inline() == 1) {
            throw new IllegalArgumentException("--inline: on does not apply to read-lat; an RDMA_READ carries no"
                    + " inline data (its SGE is where the data lands): leave --inline out or set it off");
        }
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
        params.put("size_bytes", size).put("device_mode", mode.name().toLowerCase()).put("opcode", "RDMA_READ")
                .put("inline", false).put("signaled", true).put("post_list", 1).put("signal_interval", 1)
                .put("qps", 1).put("sq_wrs", SQ_WRS)
                .put("measures", "ibv_wr_start to polled send CQE (the data has landed in the local buffer)");
    }

    @Override
    public String open(int peerCpu) {
        pair = new VerbsPair(mode, peerCpu, 2L * Options.MAX_SIZE, SQ_WRS, 0, 1);
        qp = pair.a;
        cq = pair.sendCqA;
        MemorySegment source = pair.segB();
        for (int k = 0; k < size; k++) {
            source.set(JAVA_BYTE, k, pattern(k));
        }
        rkey = pair.mrB.rkey();
        remote = pair.addrB(0);
        lkey = pair.mrA.lkey();
        local = pair.addrA(0);
        return pair.pinNote;
    }

    private static byte pattern(int k) {
        return (byte) (k * 31 + 7);
    }

    @Override
    public long operation(long i) {
        qp.wrStart();
        qp.wrId(i).wrFlags(SendFlags.SIGNALED).wrRdmaRead(rkey, remote);
        qp.wrSetSge(lkey, local, size);
        qp.wrComplete();
        VerbsPair.awaitCompletion(cq, null);
        long wrId = cq.wrId();
        int status = cq.status();
        int len = cq.byteLen();
        cq.endPoll();
        if (wrId != i || status != WcStatus.SUCCESS || len != size) {
            errors++;
        }
        completed++;
        return wrId;
    }

    /** Wrong completions, plus 1 when a READ completed but a's buffer does not hold b's pattern. */
    @Override
    public long errors() {
        if (completed == 0) {
            return errors;
        }
        long at = MemorySegment.mismatch(pair.segA(), 0, size, pair.segB(), 0, size);
        return errors + (at < 0 ? 0 : 1);
    }

    /** a's buffer, where each READ lands (for tests). */
    MemorySegment landing() {
        return pair.segA();
    }

    @Override
    public void close() {
        if (pair != null) {
            pair.close();
            pair = null;
        }
    }
}
