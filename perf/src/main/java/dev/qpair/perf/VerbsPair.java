package dev.qpair.perf;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.Device;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.LoopbackProvider;
import dev.qpair.hca.QpInitAttr;
import dev.qpair.hca.QueuePair;
import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.rings.Cqe;
import java.lang.foreign.MemorySegment;

/**
 * The setup every verbs row shares, as perftest's {@code ib_*} tools build it: one HCA model
 * device (loopback provider) in the row's mode, one PD, two RC QPs a and b connected to each
 * other, each with its own send CQ and receive CQ (so that a poll never meets the other kind of
 * completion), and a registered page-aligned buffer per side with every access right.
 */
public final class VerbsPair implements AutoCloseable {

    /** How long a wait for a completion (or for send-queue room) may take before the row fails instead of hanging. */
    static final long STALL_NS = 5_000_000_000L;

    final Device device;
    final CompletionQueue sendCqA;
    final CompletionQueue recvCqA;
    final CompletionQueue sendCqB;
    final CompletionQueue recvCqB;
    final QueuePair a;
    final QueuePair b;
    final AlignedBuffer bufA;
    final AlignedBuffer bufB;
    final MemoryRegion mrA;
    final MemoryRegion mrB;
    /** The engine thread's pinning note (thread mode), or null. */
    final String pinNote;

    /**
     * @param mode       the engine's mode
     * @param engineCpu  thread mode: the CPU the engine thread is pinned to (-1: unpinned)
     * @param bufBytes   bytes of each side's registered buffer
     * @param maxSendWr  send WRs each QP holds at their largest size
     * @param maxInline  {@code max_inline_data} of each QP
     * @param recvDepth  receive WQEs each QP holds
     */
    VerbsPair(DeviceMode mode, int engineCpu, long bufBytes, int maxSendWr, int maxInline, int recvDepth) {
        this(mode, engineCpu, bufBytes, maxSendWr, maxInline, recvDepth, Cqe.SIZE);
    }

    /**
     * As above, with receive CQs of {@code recvCqeSize}-byte CQEs ({@link Cqe#LARGE_SIZE}: SENDs of
     * up to 96 bytes travel inside the receive CQE, see {@link CompletionQueue}).
     */
    VerbsPair(DeviceMode mode, int engineCpu, long bufBytes, int maxSendWr, int maxInline, int recvDepth, int recvCqeSize) {
        device = Device.open(new LoopbackProvider(), mode);
        pinNote = mode == DeviceMode.THREAD ? EngineThreadPin.pin(engineCpu) : null;
        ProtectionDomain pd = device.allocPd();
        int cqDepth = Integer.highestOneBit(Math.max(maxSendWr, recvDepth) * 2 - 1) << 1; // a power of two >= 2x
        sendCqA = device.createCq(cqDepth);
        recvCqA = device.createCq(cqDepth, recvCqeSize);
        sendCqB = device.createCq(cqDepth);
        recvCqB = device.createCq(cqDepth, recvCqeSize);
        QpInitAttr attr = new QpInitAttr().maxSendWr(maxSendWr).maxRecvWr(recvDepth).maxSendSge(1).maxRecvSge(1)
                .maxInlineData(maxInline);
        a = device.createQp(pd, sendCqA, recvCqA, attr);
        b = device.createQp(pd, sendCqB, recvCqB, attr);
        bufA = AlignedBuffer.allocate(bufBytes, Alignment.PAGE);
        bufB = AlignedBuffer.allocate(bufBytes, Alignment.PAGE);
        mrA = pd.regMr(bufA, AccessFlags.ALL);
        mrB = pd.regMr(bufB, AccessFlags.ALL);
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

    /**
     * Spins until {@code cq} has a completion and stays positioned on it ({@code ibv_start_poll}
     * returned true: the caller reads it and calls {@code endPoll}). Allocates nothing; fails
     * after {@link #STALL_NS} so that a lost completion stops the row instead of hanging the suite,
     * or at once when {@code watch} (the other application thread, or null) died.
     */
    static void awaitCompletion(CompletionQueue cq, Peer watch) {
        if (cq.startPoll()) {
            return;
        }
        long started = System.nanoTime();
        int spins = 0;
        while (!cq.startPoll()) {
            Thread.onSpinWait();
            if ((++spins & 0xffff) == 0) {
                if (watch != null) {
                    watch.checkAlive();
                }
                if (System.nanoTime() - started > STALL_NS) {
                    throw new IllegalStateException("no completion on CQ " + cq.cqn() + " within 5 s");
                }
            }
        }
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
