package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcStatus;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The responder caches the receive producer index and reads receive WQEs ahead: it still never
 * uses a receive the host has not posted, completes every posted one exactly once and in order
 * (also when the QP fails with WQEs read ahead), and checks each WQE's keys when it uses it.
 */
@Timeout(60)
class ReceiveReadAheadTest {

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aSendBeyondThePostedReceivesWaitsAcrossAReadAheadWindow(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.SIZE)) {
            int posted = Responder.READ_AHEAD + 4;
            for (int k = 0; k < posted; k++) {
                f.b.postRecv(100 + k, f.mrB.lkey(), f.addrB(64L * k), 64);
            }
            for (int k = 0; k <= posted; k++) {
                f.segA().set(JAVA_LONG, 0, 5000 + k);
                f.send(k, 8, true);
                if (k < posted) {
                    assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                }
            }
            for (int k = 0; k < posted; k++) {
                Wc wc = Wc.poll(f.recvCqB);
                assertEquals(100 + k, wc.wrId(), "receives complete in posting order");
                assertEquals(WcStatus.SUCCESS, wc.status());
                assertEquals(5000 + k, f.segB().get(JAVA_LONG, 64L * k));
            }
            assertTrue(Fixture.staysEmpty(f.recvCqB), "the send past the last posted receive is RNR-NAKed, not delivered into an unposted slot");
            assertTrue(Fixture.staysEmpty(f.sendCqA));
            f.b.postRecv(900, f.mrB.lkey(), f.addrB(4096), 64);
            assertEquals(posted, Wc.poll(f.sendCqA).wrId());
            Wc wc = Wc.poll(f.recvCqB);
            assertEquals(900, wc.wrId());
            assertEquals(5000 + posted, f.segB().get(JAVA_LONG, 4096));
        }
    }

    /**
     * A delivery that uses up a read-ahead stretch reads the next one before it ends, so the next
     * message does not wait for those lines; one that uses up the cached producer index reads the
     * doorbell record before it ends. Both only through receives the host has posted.
     */
    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aDeliveryReadsTheNextStretchAndProducerIndexBeforeItEnds(DeviceMode mode) {
        for (boolean inline : new boolean[] {true, false}) {
            try (SplitFixture f = new SplitFixture(mode, Cqe.SIZE)) {
                Responder r = f.b.responder;
                int posted = 2 * Responder.READ_AHEAD + 4;
                for (int k = 0; k < posted; k++) {
                    f.b.postRecv(100 + k, f.mrB.lkey(), f.addrB(64L * k), 64);
                }
                for (int k = 0; k < Responder.READ_AHEAD; k++) {
                    f.send(k, 8, inline);
                    assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                }
                assertEquals(2 * Responder.READ_AHEAD, r.readAheadTo, "after the first stretch's last delivery (inline " + inline + ")");
                for (int k = Responder.READ_AHEAD; k < 2 * Responder.READ_AHEAD; k++) {
                    f.send(k, 8, inline);
                    assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                }
                assertEquals(posted, r.readAheadTo, "the last stretch is what is posted, no more (inline " + inline + ")");
                f.b.postRecv(900, f.mrB.lkey(), f.addrB(4096), 64);
                for (int k = 2 * Responder.READ_AHEAD; k < posted; k++) {
                    f.send(k, 8, inline);
                    assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                }
                assertEquals(posted + 1, r.postedCache, "the delivery that used up the cached index read the record (inline " + inline + ")");
                assertEquals(posted + 1, r.readAheadTo);
                for (int k = 0; k < posted; k++) {
                    assertEquals(100 + k, Wc.poll(f.recvCqB).wrId());
                }
                f.send(posted, 8, inline);
                assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                assertEquals(900, Wc.poll(f.recvCqB).wrId());
                assertEquals(posted + 1, r.postedCache, "nothing more was posted");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void errorFlushesEveryPostedReceiveOnceInOrderAlsoThoseReadAhead(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.SIZE)) {
            int posted = 40;
            for (int k = 0; k < posted; k++) {
                f.b.postRecv(100 + k, f.mrB.lkey(), f.addrB(64L * k), 64);
            }
            for (int k = 0; k < 5; k++) {
                f.send(k, 8, false);
                assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
                assertEquals(100 + k, Wc.poll(f.recvCqB).wrId());
            }
            f.b.modifyQp(new QpAttr().qpState(QpState.ERR));
            for (int k = 5; k < posted; k++) {
                Wc wc = Wc.poll(f.recvCqB);
                assertEquals(100 + k, wc.wrId());
                assertEquals(WcStatus.WR_FLUSH_ERR, wc.status());
            }
            assertTrue(Fixture.staysEmpty(f.recvCqB), "nothing completes twice");
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void aBadLkeyInsideAReadAheadBatchIsLocProtErrThenTheRestFlush(DeviceMode mode) {
        for (int size : new int[] {16, 200}) {
            try (SplitFixture f = new SplitFixture(mode, Cqe.SIZE)) {
                f.b.postRecv(200, f.mrB.lkey(), f.addrB(0), 256);
                f.b.postRecv(201, f.mrB.lkey() ^ 0x100, f.addrB(256), 256);
                f.b.postRecv(202, f.mrB.lkey(), f.addrB(512), 256);
                f.b.postRecv(203, f.mrB.lkey(), f.addrB(768), 256);
                f.send(1, size, false);
                f.send(2, size, false);
                assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status(), "size " + size);
                assertEquals(WcStatus.REM_OP_ERR, Wc.poll(f.sendCqA).status(), "size " + size);
                int[] expected = {WcStatus.SUCCESS, WcStatus.LOC_PROT_ERR, WcStatus.WR_FLUSH_ERR, WcStatus.WR_FLUSH_ERR};
                for (int k = 0; k < 4; k++) {
                    Wc wc = Wc.poll(f.recvCqB);
                    assertEquals(200 + k, wc.wrId());
                    assertEquals(expected[k], wc.status(), "receive " + (200 + k) + ", size " + size);
                }
                assertEquals(QpState.ERR, f.b.state());
                assertTrue(Fixture.staysEmpty(f.recvCqB));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void resetForgetsTheCachedProducerIndex(DeviceMode mode) {
        try (SplitFixture f = new SplitFixture(mode, Cqe.SIZE)) {
            for (int k = 0; k < 10; k++) {
                f.b.postRecv(100 + k, f.mrB.lkey(), f.addrB(64L * k), 64);
            }
            f.send(1, 8, true);
            assertEquals(WcStatus.SUCCESS, Wc.poll(f.sendCqA).status());
            assertEquals(100, Wc.poll(f.recvCqB).wrId());
            f.b.modifyQp(new QpAttr().qpState(QpState.ERR));
            for (int k = 1; k < 10; k++) {
                assertEquals(WcStatus.WR_FLUSH_ERR, Wc.poll(f.recvCqB).status());
            }
            f.a.modifyQp(new QpAttr().qpState(QpState.RESET));
            f.b.modifyQp(new QpAttr().qpState(QpState.RESET));
            f.a.connect(f.b.qpNum(), 100, 200);
            f.b.connect(f.a.qpNum(), 200, 100);
            f.send(2, 8, true);
            assertTrue(Fixture.staysEmpty(f.recvCqB), "after RESET no receive is posted: the old ones are gone");
            f.b.postRecv(900, f.mrB.lkey(), f.addrB(2048), 64);
            assertEquals(2, Wc.poll(f.sendCqA).wrId());
            assertEquals(900, Wc.poll(f.recvCqB).wrId());
        }
    }
}
