package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * {@link MmiowbOrdersDoorbellsByLock} without the lock: documents what a shared send queue
 * without the {@code mmiowb} discipline lets the device see. Passes either way.
 * Result: doorbell seen by A, doorbell seen by B, final doorbell, slot 0, slot 1.
 */
@JCStressTest
@Description("Without the lock, doorbells and WQE slots of two posters race")
@Outcome(id = "0, 1, 2, 1, 2", expect = ACCEPTABLE, desc = "A posted first, then B, as if locked.")
@Outcome(id = "1, 0, 2, 2, 1", expect = ACCEPTABLE, desc = "B posted first, then A, as if locked.")
@Outcome(id = ".*", expect = ACCEPTABLE_INTERESTING, desc = "Lost WQE, regressed or duplicated doorbell.")
@State
public class DoorbellsWithoutLockRace {

    private final TestSendQueue sq = new TestSendQueue();

    @Actor
    public void threadA(IIIII_Result r) {
        r.r1 = sq.post(1);
    }

    @Actor
    public void threadB(IIIII_Result r) {
        r.r2 = sq.post(2);
    }

    @Arbiter
    public void device(IIIII_Result r) {
        sq.observe(r);
    }
}
