package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.RecvWqe;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Garbage from an untrusted host: send and receive rings full of random fields (opcodes, flags,
 * ds, inline counts, keys of real and unreal regions, addresses and lengths around their bounds).
 * The engine never faults (no QP_FATAL), never writes outside the registered halves of the
 * buffers, completes only with statuses an HCA uses, and keeps serving other QPs.
 */
@Timeout(60)
class FuzzTest {

    private static final int[] OPCODES = {WrOpcode.RDMA_WRITE, WrOpcode.RDMA_WRITE_WITH_IMM, WrOpcode.SEND, WrOpcode.SEND_WITH_IMM,
        WrOpcode.RDMA_READ, WrOpcode.ATOMIC_CMP_AND_SWP, WrOpcode.ATOMIC_FETCH_AND_ADD, WrOpcode.LOCAL_INV, 8, WrOpcode.NOP, 0x42};

    @ParameterizedTest
    @EnumSource(DeviceMode.class)
    void garbageRingsNeverFaultTheEngineNorWriteOutsideRegions(DeviceMode mode) {
        Random rnd = new Random(6);
        int[] seen = new int[256];
        try (Fixture f = new Fixture(mode)) {
            int half = Fixture.BUF / 2;
            MemoryRegion la = f.pd.regMr(f.bufA, 0, half, AccessFlags.ALL);
            MemoryRegion lb = f.pd.regMr(f.bufB, 0, half, AccessFlags.ALL);
            int[] keys = {la.lkey(), lb.rkey(), la.lkey(), lb.rkey(), la.lkey() + 1, 0, rnd.nextInt()};
            long[] bases = {f.addrA(0), f.addrB(0)};
            f.mrA.deregister();
            f.mrB.deregister();
            for (int round = 0; round < 1500; round++) {
                int blocks = 1 + rnd.nextInt(4);
                for (int i = 0; i < blocks; i++) {
                    MemorySegment slot = f.a.sqRing.asSlice((long) i * SendWqe.BASIC_BLOCK_SIZE, SendWqe.BASIC_BLOCK_SIZE);
                    for (long seg = 0; seg < 64; seg += 16) {
                        int key = keys[rnd.nextInt(keys.length)];
                        long addr = bases[rnd.nextInt(2)] + (rnd.nextBoolean() ? rnd.nextInt(half + 64) : half - 8 + rnd.nextInt(16));
                        int len = rnd.nextInt(4) != 0 ? rnd.nextInt(300) : rnd.nextInt();
                        slot.set(JAVA_INT, seg, len);
                        slot.set(JAVA_INT, seg + 4, key);
                        slot.set(JAVA_LONG, seg + 8, rnd.nextInt(4) == 0 ? addr & ~7L : addr);
                    }
                }
                SendWqe w = new SendWqe(f.a.sqRing);
                w.at(0).opcode(OPCODES[rnd.nextInt(OPCODES.length)]).flags(rnd.nextInt(16)).wrId(round).ds(rnd.nextInt(4 * blocks + 1))
                        .immData(rnd.nextInt()).qpn(f.a.qpNum());
                RecvWqe r = new RecvWqe(f.b.rqRing, RecvWqe.strideFor(4));
                int recvs = rnd.nextInt(3);
                for (int i = 0; i < recvs; i++) {
                    r.at(i).wrId(i).numSge(rnd.nextInt(6) - 1);
                    for (int k = 0; k < 4; k++) {
                        r.sge(k, keys[rnd.nextInt(keys.length)], bases[1] + rnd.nextInt(half + 64), rnd.nextInt(200));
                    }
                }
                DoorbellRecord.publishRecvProducerRelease(f.b.record, recvs);
                DoorbellRecord.publishSendProducerRelease(f.a.record, blocks);
                f.a.engine().doorbell(f.a);
                f.a.engine().quiesce();
                while (!f.a.isTaskIdle()) {
                    Thread.onSpinWait();
                }
                QpAttr reset = new QpAttr().qpState(QpState.RESET);
                f.b.modifyQp(reset);
                f.a.modifyQp(reset);
                drain(f.cqA, seen);
                drain(f.cqB, seen);
                assertEquals(-1, f.device.pollAsyncEvent(), "no engine fault, no overflow, round " + round);
                f.a.connect(f.b.qpNum(), 0, 0);
                f.b.connect(f.a.qpNum(), 0, 0);
            }
            for (int off = half; off < Fixture.BUF; off++) {
                if (f.segA().get(JAVA_BYTE, off) != 0 || f.segB().get(JAVA_BYTE, off) != 0) {
                    throw new AssertionError("a byte outside the registered half changed at " + off);
                }
            }
            la.deregister();
            lb.deregister();
        }
        for (int status : new int[] {WcStatus.SUCCESS, WcStatus.LOC_QP_OP_ERR, WcStatus.LOC_PROT_ERR, WcStatus.LOC_LEN_ERR,
            WcStatus.WR_FLUSH_ERR, WcStatus.REM_ACCESS_ERR}) {
            assertTrue(seen[status] > 0, "the fuzzer reached status " + status);
        }
    }

    /** Polls until empty: after both QPs went through RESET (which waits for their tasks), no CQE is still coming. */
    private static void drain(CompletionQueue cq, int[] seen) {
        while (cq.startPoll()) {
            do {
                int s = cq.status();
                seen[s]++;
                assertTrue(s == WcStatus.SUCCESS || s == WcStatus.LOC_QP_OP_ERR || s == WcStatus.LOC_PROT_ERR
                        || s == WcStatus.LOC_LEN_ERR || s == WcStatus.WR_FLUSH_ERR || s == WcStatus.REM_ACCESS_ERR
                        || s == WcStatus.REM_INV_REQ_ERR || s == WcStatus.REM_OP_ERR || s == WcStatus.RNR_RETRY_EXC_ERR
                        || s == WcStatus.RETRY_EXC_ERR, "status " + s);
            } while (cq.nextPoll());
            cq.endPoll();
        }
    }
}
