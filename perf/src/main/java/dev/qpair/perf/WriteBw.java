package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QpInitAttr;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * {@code ib_write_bw} on the HCA model: a stream of {@code --size}-byte (64 by default) RDMA_WRITEs
 * from QPs a[k] into their pair's slice of b's buffer, {@code --post-list} WRs per doorbell,
 * one WR in {@code --signal} signaled, spread over {@code --qps} QP pairs (see {@link BwSender}).
 * One operation is one WR; a sample is one doorbell's batch. Device mode thread (default): the
 * engine thread, pinned to the peer CPU, executes while the measuring thread posts; inline: each
 * doorbell runs the engine in the posting thread. {@link #errors()} counts failed completions and,
 * for payloads of 8 bytes or more, each QP whose slice of b does not end up holding the number of
 * the last WR posted on it.
 */
public final class WriteBw implements Benchmark {

    public static final String NAME = "write-bw";
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final long SETTLE_NS = 2_000_000_000L;

    private final int size;
    private final DeviceMode mode;
    private final boolean inline;
    private final int postList;
    private final int signal;
    private final int qps;
    private VerbsFleet fleet;
    private BwSender sender;

    public WriteBw(Options options) {
        this.size = options.sizeOr(64);
        this.mode = options.deviceModeOr(DeviceMode.THREAD);
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
        params.put("size_bytes", size).put("device_mode", mode.name().toLowerCase()).put("opcode", "RDMA_WRITE")
                .put("inline", inline).put("post_list", postList).put("signal_interval", signal).put("qps", qps)
                .put("sq_wrs", BwSender.sqWrs(postList, signal))
                .put("measures", "WRs posted per second, the poster polling signaled completions for send-queue room");
    }

    @Override
    public String open(int peerCpu) {
        int sqWrs = BwSender.sqWrs(postList, signal);
        QpInitAttr attr = new QpInitAttr().maxSendWr(sqWrs).maxRecvWr(1).maxSendSge(1).maxRecvSge(1)
                .maxInlineData(inline ? Math.max(64, size) : 0);
        int cqDepth = Integer.highestOneBit(Math.max(64, qps * (sqWrs / signal + 2)) * 2 - 1);
        fleet = new VerbsFleet(mode, peerCpu, qps, attr, cqDepth, 2, stride(size));
        sender = new BwSender(fleet, WrOpcode.RDMA_WRITE, size, inline, postList, signal);
        return fleet.pinNote;
    }

    /** Bytes of each pair's buffer slice: the payload rounded up to a cache line. */
    static long stride(int size) {
        return (Math.max(size, Long.BYTES) + 63L) & -64L;
    }

    @Override
    public long operation(long i) {
        sender.post(i, null);
        return i;
    }

    /** Failed completions, plus one per QP whose slice of b does not come to hold its last WR's number within 2 s. */
    @Override
    public long errors() {
        long errors = sender.badCompletions();
        if (size < Long.BYTES) {
            return errors;
        }
        MemorySegment target = fleet.segB();
        long deadline = System.nanoTime() + SETTLE_NS;
        for (int q = 0; q < qps; q++) {
            long last = sender.lastOnQp[q];
            if (last < 0) {
                continue;
            }
            // smp_load_acquire(): the engine's (or the doorbell's) write of the payload, polled until it lands
            while ((long) LONG.getAcquire(target, q * fleet.stride) != last && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            if ((long) LONG.getAcquire(target, q * fleet.stride) != last) { // smp_load_acquire(): as above
                errors++;
            }
        }
        return errors;
    }

    /** b's buffer, pair k's slice at k x {@link #stride} (for tests). */
    MemorySegment target() {
        return fleet.segB();
    }

    @Override
    public void close() {
        if (fleet != null) {
            fleet.close();
            fleet = null;
        }
    }
}
