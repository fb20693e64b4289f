package dev.qpair.perf.jmh;

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

/**
 * What the verbs JMH benchmarks share: one HCA model device (loopback provider), one PD, one send
 * CQ and one receive CQ, {@code pairs} connected RC QP pairs a[k] -> b[k] with 64 bytes of inline
 * data, and one registered 4 KiB buffer per side.
 */
final class VerbsBenchSetup implements AutoCloseable {

    final Device device;
    final CompletionQueue sendCq;
    final QueuePair[] a;
    final QueuePair[] b;
    final AlignedBuffer bufA;
    final AlignedBuffer bufB;
    final MemoryRegion mrA;
    final MemoryRegion mrB;

    VerbsBenchSetup(DeviceMode mode, int pairs, int maxSendWr, int cqCapacity) {
        device = Device.open(new LoopbackProvider(), mode);
        ProtectionDomain pd = device.allocPd();
        sendCq = device.createCq(cqCapacity);
        CompletionQueue recvCq = device.createCq(2);
        QpInitAttr attr = new QpInitAttr().maxSendWr(maxSendWr).maxRecvWr(1).maxSendSge(1).maxRecvSge(1)
                .maxInlineData(64);
        a = new QueuePair[pairs];
        b = new QueuePair[pairs];
        for (int k = 0; k < pairs; k++) {
            a[k] = device.createQp(pd, sendCq, recvCq, attr);
            b[k] = device.createQp(pd, sendCq, recvCq, attr);
            a[k].connect(b[k].qpNum(), 100, 200);
            b[k].connect(a[k].qpNum(), 200, 100);
        }
        bufA = AlignedBuffer.allocate(4096, Alignment.PAGE);
        bufB = AlignedBuffer.allocate(4096, Alignment.PAGE);
        mrA = pd.regMr(bufA, AccessFlags.ALL);
        mrB = pd.regMr(bufB, AccessFlags.ALL);
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
