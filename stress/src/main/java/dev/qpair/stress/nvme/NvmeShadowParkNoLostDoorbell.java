package dev.qpair.stress.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import dev.qpair.rings.nvme.DoorbellSummary;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Shadow doorbells under a dedicated poller, as nvme-model's qpair and controller run them. SQ 1
 * has consumed shadow tail 1 and its summary bit is set; EventIdx is stale at 0 (the poller does
 * not move it while it polls the queue). The host queues a second command: shadow tail = 2,
 * {@code mb()}, read EventIdx, and only if the tail passed it the MMIO doorbell and
 * {@link DoorbellSummary#notify}. The controller parks the queue: {@link DoorbellSummary#clear} (a
 * full fence), EventIdx = 1, {@code mb()}, re-read the shadow tail, and sets the bit again if it
 * moved. Either way the bit ends set: the new command is never left on a parked queue. Result:
 * the host rang (1/0), the tail the controller re-read, the bit at the end (1/0).
 */
@JCStressTest
@Description("Poller park (clear bit, EventIdx, mb, re-read) vs host shadow submit (tail, mb, EventIdx, doorbell + notify)")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The host saw EventIdx 1, rang and set the bit; the controller visits the queue.")
@Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = "The host saw the stale EventIdx; the controller's re-read found tail 2 and set the bit.")
@Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "Both saw each other: a spare doorbell.")
@Outcome(expect = FORBIDDEN, desc = "Lost doorbell: the queue is parked with tail 2 unseen.")
@State
public class NvmeShadowParkNoLostDoorbell {

    private static final int QID = 1;
    private static final int ENTRIES = 16;
    private static final long DOORBELL = NvmeQueues.sqTailDoorbell(QID, 0);

    private final MemorySegment bar = SharedMemory.allocate(8192);
    private final MemorySegment shadow = SharedMemory.allocate(64);
    private final MemorySegment eventIdx = SharedMemory.allocate(64);

    public NvmeShadowParkNoLostDoorbell() {
        shadow.set(JAVA_INT, 0, 1);
        eventIdx.set(JAVA_INT, 0, 0);
        DoorbellSummary.set(bar, QID);
    }

    @Actor
    public void host(III_Result r) {
        Barriers.smpStoreReleaseInt(shadow, 0, 2);
        Barriers.mb();
        int event = Barriers.readOnceInt(eventIdx, 0);
        if (NvmeQueues.needEvent(event, 2, 1, ENTRIES)) {
            Mmio.writel(bar, DOORBELL, 2);
            DoorbellSummary.notify(bar, QID);
            r.r1 = 1;
        }
    }

    @Actor
    public void controller(III_Result r) {
        DoorbellSummary.clear(bar, QID);
        Barriers.smpStoreReleaseInt(eventIdx, 0, 1);
        Barriers.mb();
        int tail = Barriers.smpLoadAcquireInt(shadow, 0);
        if (tail != 1) {
            DoorbellSummary.set(bar, QID);
        }
        r.r2 = tail;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = DoorbellSummary.isSet(bar, QID) ? 1 : 0;
    }
}
