package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;

/**
 * {@code ib_atomic_lat} on the HCA model: one 8-byte atomic on b's registered buffer, signaled,
 * its old value landing in a's buffer; one operation is {@code ibv_wr_start .. ibv_wr_complete}
 * up to the polled CQE. {@code --atomic fetch-add} (default, ATOMIC_FETCH_AND_ADD of 1) or
 * {@code cmp-swap} (ATOMIC_CMP_AND_SWP of n for n + 1, where n is the number of atomics done so
 * far, so each one succeeds only if every earlier one did). Device mode as in {@link WriteLat}.
 * {@link #errors()} checks once that the remote word equals the number of atomics executed and
 * that the local word holds the last one's old value (its count before it), so that the measured
 * loop carries no extra cache-line transfer.
 */
public final class AtomicLat implements Benchmark {

    public static final String NAME = "atomic-lat";
    private static final int SQ_WRS = 64;

    private final DeviceMode mode;
    private final boolean cmpSwap;
    private VerbsPair pair;
    private QueuePair qp;
    private CompletionQueue cq;
    private int rkey;
    private long remote;
    private int lkey;
    private long local;
    private long errors;
    private long done;

    /** Takes {@code --device-mode} and {@code --atomic}; {@code --size} and {@code --inline} do not apply (see {@link #check}). */
    public AtomicLat(Options options) {
        this.mode = options.deviceModeOr(DeviceMode.THREAD);
        this.cmpSwap = options.cmpSwap();
    }

    /**
     * Rejects what the {@code atomic-lat} subcommand cannot run with.
     *
     * @throws IllegalArgumentException when {@code --size} is not 8 or {@code --inline on} was asked
     */
    static void check(Options options) {
        if (options.size() != 0 && options.size() != Long.BYTES) {
            throw new IllegalArgumentException("--size: " + options.size() + " does not apply to atomic-lat; an atomic"
                    + " moves exactly 8 bytes: leave --size out or set it to 8");
        }
        if (options.inline() == 1) {
            throw new IllegalArgumentException("--inline: on does not apply to atomic-lat; an atomic carries no"
                    + " inline data (its SGE is where the old value lands): leave --inline out or set it off");
        }
    }

    @Override
    public String name() {
        return cmpSwap ? NAME + "-cmp-swap" : NAME;
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
        params.put("size_bytes", Long.BYTES).put("device_mode", mode.name().toLowerCase())
                .put("opcode", cmpSwap ? "ATOMIC_CMP_AND_SWP" : "ATOMIC_FETCH_AND_ADD")
                .put("atomic", cmpSwap ? "cmp-swap" : "fetch-add").put("inline", false).put("signaled", true)
                .put("post_list", 1).put("signal_interval", 1).put("qps", 1).put("sq_wrs", SQ_WRS)
                .put("measures", "ibv_wr_start to polled send CQE (the old value has landed in the local buffer)");
    }

    @Override
    public String open(int peerCpu) {
        pair = new VerbsPair(mode, peerCpu, 2L * Options.MAX_SIZE, SQ_WRS, 0, 1);
        qp = pair.a;
        cq = pair.sendCqA;
        rkey = pair.mrB.rkey();
        remote = pair.addrB(0);
        lkey = pair.mrA.lkey();
        local = pair.addrA(0);
        pair.segA().set(JAVA_LONG, 0, -1L);
        return pair.pinNote;
    }

    @Override
    public long operation(long i) {
        qp.wrStart();
        qp.wrId(i).wrFlags(SendFlags.SIGNALED);
        if (cmpSwap) {
            qp.wrAtomicCmpSwp(rkey, remote, done, done + 1);
        } else {
            qp.wrAtomicFetchAdd(rkey, remote, 1);
        }
        qp.wrSetSge(lkey, local, Long.BYTES);
        qp.wrComplete();
        VerbsPair.awaitCompletion(cq, null);
        long wrId = cq.wrId();
        int status = cq.status();
        cq.endPoll();
        if (wrId != i || status != WcStatus.SUCCESS) {
            errors++;
        }
        done++;
        return wrId;
    }

    /** Wrong completions, plus 1 when the remote word is not the atomics' count or the local word not the last old value. */
    @Override
    public long errors() {
        if (done == 0) {
            return errors;
        }
        MemorySegment target = pair.segB();
        MemorySegment old = pair.segA();
        boolean right = target.get(JAVA_LONG, 0) == done && old.get(JAVA_LONG, 0) == done - 1;
        return errors + (right ? 0 : 1);
    }

    /** b's buffer, whose first word the atomics act on (for tests). */
    MemorySegment target() {
        return pair.segB();
    }

    @Override
    public void close() {
        if (pair != null) {
            pair.close();
            pair = null;
        }
    }
}
