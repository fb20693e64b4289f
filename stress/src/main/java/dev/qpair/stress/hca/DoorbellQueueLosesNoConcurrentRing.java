package dev.qpair.stress.hca;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.rings.DoorbellQueue;
import java.lang.foreign.Arena;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Two host threads ring the device-wide doorbell queue at once (two QPs posted from different
 * threads): each claims a position with a CAS on the hosts' line and publishes its slot, while the
 * second also plays the engine and polls the queue right after its own ring; the arbiter drains the
 * rest. Result: the QPNs of the first and second doorbell consumed (negative when the producer index
 * in the slot is not the one its host wrote), how many the polling actor consumed, and the total:
 * every doorbell arrives exactly once, in claim order, whatever the interleaving.
 */
@JCStressTest
@Description("Doorbell queue: concurrent rings get distinct slots and the device consumes each once")
@Outcome(id = {"1, 2, [1-2], 2", "2, 1, [1-2], 2"}, expect = ACCEPTABLE, desc = "Both doorbells, once each, in claim order.")
@Outcome(id = "1, 2, 0, 2", expect = ACCEPTABLE, desc = "The polling actor found host 1's claimed slot not yet published.")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "A doorbell lost, duplicated or overwritten.")
@State
public class DoorbellQueueLosesNoConcurrentRing {

    private final DoorbellQueue queue = DoorbellQueue.allocate(Arena.ofAuto(), 4);
    private final int[] seen = new int[3];
    private int consumed;
    private int consumedByActor;

    @Actor
    public void host1() {
        queue.publish(queue.claim(), 1, 10, 0);
    }

    @Actor
    public void host2AndEngine() {
        queue.publish(queue.claim(), 2, 20, 0);
        for (int i = 0; i < 2; i++) {
            long slot = queue.pollAcquire();
            if (slot == DoorbellQueue.EMPTY) {
                break;
            }
            take(slot);
        }
        consumedByActor = consumed;
    }

    private void take(long slot) {
        int qpn = queue.qpn(slot);
        seen[consumed] = queue.producer(slot) == qpn * 10 ? qpn : -qpn;
        consumed++;
        queue.releaseSlot();
    }

    @Arbiter
    public void drain(IIII_Result r) {
        while (consumed < 3) {
            long slot = queue.pollAcquire();
            if (slot == DoorbellQueue.EMPTY) {
                break;
            }
            take(slot);
        }
        r.r1 = seen[0];
        r.r2 = seen[1];
        r.r3 = consumedByActor;
        r.r4 = consumed;
    }
}
