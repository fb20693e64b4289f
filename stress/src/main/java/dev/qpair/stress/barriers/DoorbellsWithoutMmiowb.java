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
 * {@link MmiowbOrdersDoorbellsByLock} with a ticket lock whose unlock has no {@code mmiowb()}:
 * documents that the next holder may then take the lock before the previous holder's doorbell is
 * visible. Passes either way. Result: doorbell seen by A, doorbell seen by B, final doorbell,
 * slot 0, slot 1.
 */
@JCStressTest
@Description("Without mmiowb in the unlock, a doorbell may reach the device after the next holder's")
@Outcome(id = "0, 1, 2, 1, 2", expect = ACCEPTABLE, desc = "A held the lock first, then B.")
@Outcome(id = "1, 0, 2, 2, 1", expect = ACCEPTABLE, desc = "B held the lock first, then A.")
@Outcome(id = ".*", expect = ACCEPTABLE_INTERESTING,
        desc = "Permitted without mmiowb: the next holder ran before the previous doorbell or WQE was visible.")
@State
public class DoorbellsWithoutMmiowb {

    private final TicketLockWithoutMmiowb lock = new TicketLockWithoutMmiowb();
    private final TestSendQueue sq = new TestSendQueue();

    private int post(int id) {
        lock.lock();
        try {
            return sq.post(id);
        } finally {
            lock.unlock();
        }
    }

    @Actor
    public void threadA(IIIII_Result r) {
        r.r1 = post(1);
    }

    @Actor
    public void threadB(IIIII_Result r) {
        r.r2 = post(2);
    }

    @Arbiter
    public void device(IIIII_Result r) {
        sq.observe(r);
    }
}
