package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every opcode moves exactly the bytes it should, in both device modes, and completes as ibv_wc says. */
@Timeout(30)
class OperationsTest {

    private static void fill(MemorySegment s, long offset, int length, int seed) {
        for (int i = 0; i < length; i++) {
            s.set(JAVA_BYTE, offset + i, (byte) (seed + i * 31));
        }
    }

    private static void assertBytes(MemorySegment expected, long eOff, MemorySegment actual, long aOff, int length) {
        long mismatch = MemorySegment.mismatch(expected, eOff, eOff + length, actual, aOff, aOff + length);
        assertEquals(-1, mismatch, "first differing byte");
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void sendLandsInTheReceiveBufferAndCompletesBothSides(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 3000, 7);
            f.b.postRecv(77, f.mrB.lkey(), f.addrB(1000), 4096);
            f.a.wrStart();
            f.a.wrId(11).wrFlags(SendFlags.SIGNALED).wrSend().wrSetSge(f.mrA.lkey(), f.addrA(0), 3000);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(11, f.wrId);
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(WcOpcode.SEND, f.opcode);
            assertEquals(f.a.qpNum(), f.qpNum);
            f.poll(f.cqB);
            assertEquals(77, f.wrId);
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(WcOpcode.RECV, f.opcode);
            assertEquals(3000, f.byteLen);
            assertEquals(f.a.qpNum(), f.srcQp);
            assertEquals(f.b.qpNum(), f.qpNum);
            assertEquals(0, f.wcFlags & Cqe.WC_FLAG_WITH_IMM);
            assertBytes(f.segA(), 0, f.segB(), 1000, 3000);
            assertEquals(0, f.segB().get(JAVA_BYTE, 999));
            assertEquals(0, f.segB().get(JAVA_BYTE, 4000));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void multiSgeSendGathersAndScattersInOrder(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 8192, 3);
            f.b.recvWr(5).recvAddSge(f.mrB.lkey(), f.addrB(100), 10).recvAddSge(f.mrB.lkey(), f.addrB(5000), 2000)
                    .recvAddSge(f.mrB.lkey(), f.addrB(9000), 4000);
            f.b.recvComplete();
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrSendImm(0xCAFE)
                    .wrAddSge(f.mrA.lkey(), f.addrA(0), 7).wrAddSge(f.mrA.lkey(), f.addrA(1000), 1500)
                    .wrAddSge(f.mrA.lkey(), f.addrA(4000), 0).wrAddSge(f.mrA.lkey(), f.addrA(6000), 493);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status);
            f.poll(f.cqB);
            assertEquals(2000, f.byteLen);
            assertEquals(0xCAFE, f.immData);
            assertTrue((f.wcFlags & Cqe.WC_FLAG_WITH_IMM) != 0);
            MemorySegment sent = MemorySegment.ofArray(new byte[2000]);
            MemorySegment.copy(f.segA(), 0, sent, 0, 7);
            MemorySegment.copy(f.segA(), 1000, sent, 7, 1500);
            MemorySegment.copy(f.segA(), 6000, sent, 1507, 493);
            assertBytes(sent, 0, f.segB(), 100, 10);
            assertBytes(sent, 10, f.segB(), 5000, 1990);
            assertEquals(0, f.segB().get(JAVA_BYTE, 5000 + 1990));
            assertEquals(0, f.segB().get(JAVA_BYTE, 9000));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void rdmaWriteAndWriteWithImmLandAtTheRemoteAddress(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 5000, 9);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(0).wrRdmaWrite(f.mrB.rkey(), f.addrB(300)).wrAddSge(f.mrA.lkey(), f.addrA(0), 2500)
                    .wrAddSge(f.mrA.lkey(), f.addrA(2500), 2500);
            f.a.wrId(2).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(f.mrB.rkey(), f.addrB(20000)).wrSetInlineData(f.segA(), 100, 100);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(2, f.wrId, "the unsignaled WRITE completes silently");
            assertEquals(WcOpcode.RDMA_WRITE, f.opcode);
            assertBytes(f.segA(), 0, f.segB(), 300, 5000);
            assertBytes(f.segA(), 100, f.segB(), 20000, 100);
            assertTrue(Fixture.staysEmpty(f.cqB), "a plain RDMA WRITE consumes no receive");

            f.b.postRecv(99, f.mrB.lkey(), f.addrB(0), 0);
            f.a.wrStart();
            f.a.wrId(3).wrFlags(SendFlags.SIGNALED).wrRdmaWriteImm(f.mrB.rkey(), f.addrB(40000), 0x1234_5678)
                    .wrSetSge(f.mrA.lkey(), f.addrA(0), 64);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(3, f.wrId);
            f.poll(f.cqB);
            assertEquals(99, f.wrId);
            assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, f.opcode);
            assertEquals(0x1234_5678, f.immData);
            assertEquals(64, f.byteLen);
            assertBytes(f.segA(), 0, f.segB(), 40000, 64);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void rdmaReadBringsRemoteBytesIntoLocalSges(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segB(), 1000, 6000, 42);
            f.a.wrStart();
            f.a.wrId(8).wrFlags(SendFlags.SIGNALED).wrRdmaRead(f.mrB.rkey(), f.addrB(1000))
                    .wrAddSge(f.mrA.lkey(), f.addrA(10000), 1000).wrAddSge(f.mrA.lkey(), f.addrA(30000), 5000);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(WcOpcode.RDMA_READ, f.opcode);
            assertEquals(6000, f.byteLen);
            assertBytes(f.segB(), 1000, f.segA(), 10000, 1000);
            assertBytes(f.segB(), 2000, f.segA(), 30000, 5000);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void atomicsReturnTheOldValueAndUpdateMemory(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            f.segB().set(JAVA_LONG, 64, 40);
            f.a.wrStart();
            f.a.wrId(1).wrFlags(SendFlags.SIGNALED).wrAtomicFetchAdd(f.mrB.rkey(), f.addrB(64), 2).wrSetSge(f.mrA.lkey(), f.addrA(0), 8);
            f.a.wrId(2).wrFlags(SendFlags.SIGNALED).wrAtomicCmpSwp(f.mrB.rkey(), f.addrB(64), 42, 1000).wrSetSge(f.mrA.lkey(), f.addrA(8), 8);
            f.a.wrId(3).wrFlags(SendFlags.SIGNALED).wrAtomicCmpSwp(f.mrB.rkey(), f.addrB(64), 42, 5).wrSetSge(f.mrA.lkey(), f.addrA(16), 8);
            f.a.wrComplete();
            f.poll(f.cqA);
            assertEquals(WcOpcode.FETCH_ADD, f.opcode);
            assertEquals(8, f.byteLen);
            f.poll(f.cqA);
            assertEquals(WcOpcode.COMP_SWAP, f.opcode);
            f.poll(f.cqA);
            assertEquals(WcStatus.SUCCESS, f.status);
            assertEquals(40, f.segA().get(JAVA_LONG, 0));
            assertEquals(42, f.segA().get(JAVA_LONG, 8));
            assertEquals(1000, f.segA().get(JAVA_LONG, 16), "the failed compare returns the current value");
            assertEquals(1000, f.segB().get(JAVA_LONG, 64));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void inlineSendAcrossTheRingWrapArrivesWhole(DeviceMode mode) {
        try (Fixture f = new Fixture(mode)) {
            fill(f.segA(), 0, 128, 1);
            int rounds = f.a.sendSlots() + 3;
            for (int i = 0; i < rounds; i++) {
                f.b.postRecv(i, f.mrB.lkey(), f.addrB(0), 256);
                f.a.wrStart();
                f.a.wrId(i).wrFlags(SendFlags.SIGNALED).wrSend().wrSetInlineData(f.segA(), 0, 97 + (i & 31));
                f.a.wrComplete();
                f.poll(f.cqA);
                assertEquals(i, f.wrId);
                f.poll(f.cqB);
                assertEquals(97 + (i & 31), f.byteLen);
                assertBytes(f.segA(), 0, f.segB(), 0, f.byteLen);
                f.segB().asSlice(0, 256).fill((byte) 0);
            }
        }
    }
}
