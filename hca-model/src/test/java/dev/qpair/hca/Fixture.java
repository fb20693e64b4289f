package dev.qpair.hca;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.memory.ProtectionDomain;
import java.lang.foreign.MemorySegment;

/** Two connected RC QPs, a and b, on one device, each with its own CQ and a registered 64 KiB buffer. */
final class Fixture implements AutoCloseable {

    static final int BUF = 1 << 16;

    final Device device;
    final ProtectionDomain pd;
    final CompletionQueue cqA;
    final CompletionQueue cqB;
    final QueuePair a;
    final QueuePair b;
    final AlignedBuffer bufA = AlignedBuffer.allocate(BUF, Alignment.PAGE);
    final AlignedBuffer bufB = AlignedBuffer.allocate(BUF, Alignment.PAGE);
    final MemoryRegion mrA;
    final MemoryRegion mrB;

    // the last polled completion
    long wrId;
    int status;
    int opcode;
    int byteLen;
    int immData;
    int wcFlags;
    int srcQp;
    int qpNum;

    Fixture(DeviceMode mode) {
        this(mode, new QpInitAttr().maxSendWr(64).maxRecvWr(64).maxSendSge(4).maxRecvSge(4).maxInlineData(128), AccessFlags.ALL, 256);
    }

    Fixture(DeviceMode mode, QpInitAttr attr, int accessB, int cqCapacity) {
        device = Device.open(new LoopbackProvider(), mode);
        pd = device.allocPd();
        cqA = device.createCq(cqCapacity);
        cqB = device.createCq(cqCapacity);
        a = device.createQp(pd, cqA, cqA, attr);
        b = device.createQp(pd, cqB, cqB, attr);
        mrA = pd.regMr(bufA, AccessFlags.ALL);
        mrB = pd.regMr(bufB, accessB);
        a.connect(b.qpNum(), 100, 200);
        b.connect(a.qpNum(), 200, 100);
    }

    MemorySegment segA() {
        return bufA.segment();
    }

    MemorySegment segB() {
        return bufB.segment();
    }

    long addrA(long offset) {
        return bufA.segment().address() + offset;
    }

    long addrB(long offset) {
        return bufB.segment().address() + offset;
    }

    /** A waiting thread's back-off: spins a little, then yields its core (2-core machines running three spinning threads). */
    static void idle(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** Polls one completion from {@code cq}, waiting up to 5 s; fails the test on timeout. */
    Fixture poll(CompletionQueue cq) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int spins = 0; !cq.startPoll(); spins++) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no completion on CQ " + cq.cqn() + " within 5 s");
            }
            idle(spins);
        }
        wrId = cq.wrId();
        status = cq.status();
        opcode = cq.opcode();
        byteLen = cq.byteLen();
        immData = cq.immData();
        wcFlags = cq.wcFlags();
        srcQp = cq.srcQp();
        qpNum = cq.qpNum();
        cq.endPoll();
        return this;
    }

    /** Whether {@code cq} stays empty for 50 ms. */
    static boolean staysEmpty(CompletionQueue cq) {
        long deadline = System.nanoTime() + 50_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (cq.startPoll()) {
                cq.endPoll();
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Override
    public void close() {
        device.close();
        mrA.deregister();
        mrB.deregister();
        bufA.close();
        bufB.close();
    }
}
