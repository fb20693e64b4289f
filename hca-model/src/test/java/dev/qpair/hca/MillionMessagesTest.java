package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A million SENDs from one application thread to another, with selective signaling and receives
 * reposted as they complete: every message arrives exactly once, in order, with its payload and
 * immediate; every signaled send completes. Bounded by count; the timeout only stops a hang.
 */
@Timeout(180)
class MillionMessagesTest {

    private static final int MESSAGES = 1_000_000;
    private static final int SIGNAL_EVERY = 16;

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aMillionSendsArriveOnceInOrder(DeviceMode mode) throws Exception {
        try (Fixture f = new Fixture(mode)) {
            int window = f.b.recvCapacity();
            for (int slot = 0; slot < window; slot++) {
                f.b.postRecv(slot, f.mrB.lkey(), f.addrB(slot * 64L), 64);
            }
            AtomicReference<Throwable> senderFailure = new AtomicReference<>();
            long[] signaledSeen = new long[1];
            Thread sender = new Thread(() -> {
                try {
                    MemorySegment payload = f.segA().asSlice(0, 8);
                    for (int i = 0; i < MESSAGES; i++) {
                        for (int spins = 0; f.a.freeSendSlots() < 1; spins++) {
                            drainSendCq(f.cqA, signaledSeen);
                            Fixture.idle(spins);
                        }
                        payload.set(JAVA_LONG, 0, i * 3L + 1);
                        boolean signaled = i % SIGNAL_EVERY == SIGNAL_EVERY - 1 || i == MESSAGES - 1;
                        f.a.wrStart();
                        f.a.wrId(i).wrFlags(signaled ? SendFlags.SIGNALED : 0).wrSendImm(i).wrSetInlineData(payload, 0, 8);
                        f.a.wrComplete();
                        drainSendCq(f.cqA, signaledSeen);
                    }
                    for (int spins = 0; signaledSeen[0] < MESSAGES / SIGNAL_EVERY + (MESSAGES % SIGNAL_EVERY == 0 ? 0 : 1); spins++) {
                        drainSendCq(f.cqA, signaledSeen);
                        Fixture.idle(spins);
                    }
                } catch (Throwable t) {
                    senderFailure.set(t);
                }
            }, "sender");
            sender.start();

            long deadline = System.nanoTime() + 150_000_000_000L;
            int next = 0;
            int reposted = 0;
            int spins = 0;
            while (next < MESSAGES) {
                if (!f.cqB.startPoll()) {
                    assertTrue(System.nanoTime() - deadline < 0, "stalled at message " + next);
                    assertNull(senderFailure.get());
                    Fixture.idle(spins++);
                    continue;
                }
                spins = 0;
                do {
                    assertEquals(WcStatus.SUCCESS, f.cqB.status(), "message " + next);
                    assertEquals(WcOpcode.RECV, f.cqB.opcode());
                    assertEquals(next, f.cqB.immData(), "messages arrive once, in order");
                    assertEquals(8, f.cqB.byteLen());
                    int slot = (int) f.cqB.wrId();
                    assertEquals(next % window, slot);
                    assertEquals(next * 3L + 1, f.segB().get(JAVA_LONG, slot * 64L));
                    next++;
                } while (f.cqB.nextPoll());
                f.cqB.endPoll();
                for (int k = reposted; k < next; k++) {
                    f.b.postRecv(k % window, f.mrB.lkey(), f.addrB((k % window) * 64L), 64);
                }
                reposted = next;
            }
            sender.join(30_000);
            assertNull(senderFailure.get());
            assertTrue(!sender.isAlive());
            assertEquals(MESSAGES / SIGNAL_EVERY + (MESSAGES % SIGNAL_EVERY == 0 ? 0 : 1), signaledSeen[0]);
            assertTrue(Fixture.staysEmpty(f.cqB), "nothing arrives twice");
            assertTrue(Fixture.staysEmpty(f.cqA));
        }
    }

    private static void drainSendCq(CompletionQueue cq, long[] seen) {
        if (!cq.startPoll()) {
            return;
        }
        do {
            if (cq.status() != WcStatus.SUCCESS) {
                throw new AssertionError("send wr_id " + cq.wrId() + " completed with status " + cq.status());
            }
            seen[0]++;
        } while (cq.nextPoll());
        cq.endPoll();
    }
}
