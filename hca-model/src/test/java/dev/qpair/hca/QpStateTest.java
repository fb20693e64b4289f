package dev.qpair.hca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.ProtectionDomain;
import org.junit.jupiter.api.Test;

/** modifyQp allows exactly IBTA's transitions and names both states when it refuses one. */
class QpStateTest {

    @Test
    void theTransitionTableIsIbtas() {
        String expected = """
                RESET: RESET INIT ERR
                INIT: RESET INIT RTR ERR
                RTR: RESET RTS ERR
                RTS: RESET RTS SQD ERR
                SQD: RESET RTS SQD ERR
                SQE: RESET RTS ERR
                ERR: RESET ERR
                """;
        StringBuilder actual = new StringBuilder();
        for (QpState from : QpState.values()) {
            actual.append(from).append(':');
            for (QpState to : QpState.values()) {
                if (from.canModifyTo(to)) {
                    actual.append(' ').append(to);
                }
            }
            actual.append('\n');
        }
        assertEquals(expected, actual.toString());
    }

    @Test
    void invalidTransitionsThrowNamingBothStates() {
        try (Device d = Device.open(new LoopbackProvider(), DeviceMode.INLINE)) {
            ProtectionDomain pd = d.allocPd();
            CompletionQueue cq = d.createCq(16);
            QueuePair qp = d.createQp(pd, cq, cq, new QpInitAttr());
            QpAttr attr = new QpAttr();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> qp.modifyQp(attr.qpState(QpState.RTS)));
            assertTrue(e.getMessage().contains("RESET -> RTS"), e.getMessage());
            qp.modifyQp(attr.qpState(QpState.INIT));
            e = assertThrows(IllegalStateException.class, () -> qp.modifyQp(attr.qpState(QpState.SQD)));
            assertTrue(e.getMessage().contains("INIT -> SQD"), e.getMessage());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> qp.modifyQp(attr.qpState(QpState.RTR).destQpNum(0xabcdef)));
            assertTrue(bad.getMessage().contains("destQpNum is 0xabcdef"), bad.getMessage());
            assertEquals(QpState.INIT, qp.state());
            qp.modifyQp(attr.qpState(QpState.ERR));
            e = assertThrows(IllegalStateException.class, () -> qp.modifyQp(attr.qpState(QpState.INIT)));
            assertTrue(e.getMessage().contains("ERR -> INIT"), e.getMessage());
            qp.modifyQp(attr.qpState(QpState.RESET));
            assertEquals(QpState.RESET, qp.state());
        }
    }

    @Test
    void connectWalksResetInitRtrRtsAndSqdComesBack() {
        try (Fixture f = new Fixture(DeviceMode.INLINE)) {
            assertEquals(QpState.RTS, f.a.state());
            assertEquals(QpState.RTS, f.b.state());
            f.a.modifyQp(new QpAttr().qpState(QpState.SQD));
            assertEquals(QpState.SQD, f.a.state());
            f.a.modifyQp(new QpAttr().qpState(QpState.RTS));
            assertEquals(QpState.RTS, f.a.state());
        }
    }

    @Test
    void postingBeforeRtsIsRefusedWithTheState() {
        try (Device d = Device.open(new LoopbackProvider(), DeviceMode.INLINE)) {
            ProtectionDomain pd = d.allocPd();
            CompletionQueue cq = d.createCq(16);
            QueuePair qp = d.createQp(pd, cq, cq, new QpInitAttr());
            IllegalStateException e = assertThrows(IllegalStateException.class, qp::wrStart);
            assertTrue(e.getMessage().contains("RESET"), e.getMessage());
            assertFalse(cq.startPoll());
        }
    }

    @Test
    void badQpAttributesNameTheArgumentAndLimit() {
        try (Device d = Device.open(new LoopbackProvider(), DeviceMode.INLINE)) {
            ProtectionDomain pd = d.allocPd();
            CompletionQueue cq = d.createCq(16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.createQp(pd, cq, cq, new QpInitAttr().maxSendSge(99)));
            assertTrue(e.getMessage().startsWith("maxSendSge is 99"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> d.createCq(1000));
            assertTrue(e.getMessage().contains("1000"), e.getMessage());
        }
    }
}
