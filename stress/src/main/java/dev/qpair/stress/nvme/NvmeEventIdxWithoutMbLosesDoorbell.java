package dev.qpair.stress.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import dev.qpair.barriers.Barriers;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link NvmeEventIdxNoLostDoorbell} with release/acquire instead of {@code mb()}: a store
 * followed by a load of another address may pass it (store buffering, even on x86), so the
 * doorbell can be lost. Documents why both {@code mb()}s are there. Passes either way.
 * Result: host wrote the MMIO doorbell (1/0), the tail the controller re-read.
 */
@JCStressTest
@Description("Shadow tail / EventIdx without mb(): release and acquire do not order a store before a later load")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The host saw EventIdx 1 and rang.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Both saw each other.")
@Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "The controller's re-check found tail 2.")
@Outcome(id = "0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "Permitted without mb(): each side's load passed its own store; the doorbell is lost.")
@State
public class NvmeEventIdxWithoutMbLosesDoorbell {

    private static final int ENTRIES = 16;

    private final MemorySegment shadow = SharedMemory.allocate(64);
    private final MemorySegment eventIdx = SharedMemory.allocate(64);

    public NvmeEventIdxWithoutMbLosesDoorbell() {
        shadow.set(JAVA_INT, 0, 1);
        eventIdx.set(JAVA_INT, 0, 0);
    }

    @Actor
    public void host(II_Result r) {
        Barriers.smpStoreReleaseInt(shadow, 0, 2);
        int event = Barriers.smpLoadAcquireInt(eventIdx, 0);
        r.r1 = NvmeQueues.needEvent(event, 2, 1, ENTRIES) ? 1 : 0;
    }

    @Actor
    public void controller(II_Result r) {
        Barriers.smpStoreReleaseInt(eventIdx, 0, 1);
        r.r2 = Barriers.smpLoadAcquireInt(shadow, 0);
    }
}
