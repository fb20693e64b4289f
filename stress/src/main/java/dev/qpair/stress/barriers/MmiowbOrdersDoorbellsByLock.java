package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.DoorbellLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Two threads share a send queue: each takes the {@link DoorbellLock}, reads the doorbell register
 * as the device last saw it, writes its WQE into the next slot and rings the shared doorbell with
 * the new producer index. With {@code mmiowb()} in the unlock, each holder finds exactly the
 * previous holder's doorbell, and the device ends with both WQEs and the last producer index.
 * Result: doorbell seen by A, doorbell seen by B, final doorbell, slot 0, slot 1.
 */
@JCStressTest
@Description("mmiowb in unlock: doorbells reach the device in lock order")
@Outcome(id = "0, 1, 2, 1, 2", expect = ACCEPTABLE, desc = "A held the lock first, then B.")
@Outcome(id = "1, 0, 2, 2, 1", expect = ACCEPTABLE, desc = "B held the lock first, then A.")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "A doorbell overtook its predecessor's, or a WQE was lost.")
@State
public class MmiowbOrdersDoorbellsByLock {

    private final DoorbellLock lock = new DoorbellLock();
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
