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
import java.lang.foreign.MemorySegment;

/**
 * The setup of the verbs bandwidth rows, as perftest's {@code ib_*_bw -q N} builds it: one HCA
 * model device (loopback provider) in the row's mode, one PD, {@code pairs} RC QP pairs a[k] -> b[k],
 * side a's QPs sharing one send CQ and side b's one receive CQ (the other two CQs take nothing),
 * and a registered page-aligned buffer per side with every access right, {@code stride} bytes per
 * pair.
 */
final class VerbsFleet implements AutoCloseable {

    final Device device;
    final CompletionQueue sendCqA;
    final CompletionQueue recvCqB;
    final QueuePair[] a;
    final QueuePair[] b;
    final AlignedBuffer bufA;
    final AlignedBuffer bufB;
    final MemoryRegion mrA;
    final MemoryRegion mrB;
    final long stride;
    /** The engine thread's pinning note (thread mode), or null. */
    final String pinNote;

    /**
     * @param mode        the engine's mode
     * @param engineCpu   thread mode: the CPU the engine thread is pinned to (-1: unpinned)
     * @param pairs       QP pairs
     * @param attr        every QP's init attributes
     * @param sendCqDepth capacity of side a's send CQ (a power of two)
     * @param recvCqDepth capacity of side b's receive CQ (a power of two)
     * @param stride      bytes of each side's buffer per pair (a multiple of 64)
     */
    VerbsFleet(DeviceMode mode, int engineCpu, int pairs, QpInitAttr attr, int sendCqDepth, int recvCqDepth,
               long stride) {
        device = Device.open(new LoopbackProvider(), mode);
        pinNote = mode == DeviceMode.THREAD ? EngineThreadPin.pin(engineCpu) : null;
        ProtectionDomain pd = device.allocPd();
        sendCqA = device.createCq(sendCqDepth);
        CompletionQueue recvCqA = device.createCq(2);
        CompletionQueue sendCqB = device.createCq(2);
        recvCqB = device.createCq(recvCqDepth);
        a = new QueuePair[pairs];
        b = new QueuePair[pairs];
        for (int k = 0; k < pairs; k++) {
            a[k] = device.createQp(pd, sendCqA, recvCqA, attr);
            b[k] = device.createQp(pd, sendCqB, recvCqB, attr);
            a[k].connect(b[k].qpNum(), 100, 200);
            b[k].connect(a[k].qpNum(), 200, 100);
        }
        this.stride = stride;
        bufA = AlignedBuffer.allocate(pairs * stride, Alignment.PAGE);
        bufB = AlignedBuffer.allocate(pairs * stride, Alignment.PAGE);
        mrA = pd.regMr(bufA, AccessFlags.ALL);
        mrB = pd.regMr(bufB, AccessFlags.ALL);
    }

    MemorySegment segA() {
        return bufA.segment();
    }

    MemorySegment segB() {
        return bufB.segment();
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
