package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The split form of {@code writel}: {@code wmb(); writel_relaxed()} on the driver side, and
 * {@code readl_relaxed(); rmb()} on the device side. Result: doorbell, opcode, length, address.
 */
@JCStressTest
@Description("wmb before writel_relaxed orders the WQE stores before the doorbell store")
@Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "Doorbell not rung yet: the device does not act on the WQE.")
@Outcome(id = "1, 8, 64, 4096", expect = ACCEPTABLE, desc = "Doorbell and the whole WQE.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "Doorbell seen before the WQE it announces.")
@State
public class WritelRelaxedAfterWmbPublishesDescriptor {

    private final MemorySegment wqe = SharedMemory.allocate(64);
    private final MemorySegment doorbellPage = SharedMemory.allocate(64);

    @Actor
    public void driver() {
        TestWqe.write(wqe);
        Barriers.wmb(); // wmb(): WQE stores before the doorbell store
        Mmio.writelRelaxed(doorbellPage, 0, 1); // writel_relaxed(): ordered by the wmb() above
    }

    @Actor
    public void device(IIII_Result r) {
        r.r1 = Mmio.readlRelaxed(doorbellPage, 0); // readl_relaxed(): ordered by the rmb() below
        Barriers.rmb(); // rmb(): doorbell load before the WQE loads
        TestWqe.read(wqe, r);
    }
}
