package dev.qpair.hca;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.memory.ProtectionDomain;
import java.lang.foreign.MemorySegment;

/**
 * Two connected RC QPs a and b, each with its own send CQ (64-byte CQEs) and receive CQ of
 * {@code recvCqeSize}-byte CQEs, and a registered 64 KiB buffer each: a receive completion is
 * polled apart from the send completions, so a test sees when the responder is done before it
 * polls the receive.
 */
final class SplitFixture implements AutoCloseable {

    final Device device;
    final ProtectionDomain pd;
    final CompletionQueue sendCqA;
    final CompletionQueue recvCqA;
    final CompletionQueue sendCqB;
    final CompletionQueue recvCqB;
    final QueuePair a;
    final QueuePair b;
    final AlignedBuffer bufA = AlignedBuffer.allocate(Fixture.BUF, Alignment.PAGE);
    final AlignedBuffer bufB = AlignedBuffer.allocate(Fixture.BUF, Alignment.PAGE);
    final MemoryRegion mrA;
    final MemoryRegion mrB;

    SplitFixture(DeviceMode mode, int recvCqeSize) {
        device = Device.open(new LoopbackProvider(), mode);
        pd = device.allocPd();
        sendCqA = device.createCq(256);
        recvCqA = device.createCq(256, recvCqeSize);
        sendCqB = device.createCq(256);
        recvCqB = device.createCq(256, recvCqeSize);
        QpInitAttr attr = new QpInitAttr().maxSendWr(64).maxRecvWr(64).maxSendSge(4).maxRecvSge(4).maxInlineData(128);
        a = device.createQp(pd, sendCqA, recvCqA, attr);
        b = device.createQp(pd, sendCqB, recvCqB, attr);
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

    /** a SENDs {@code length} bytes of its buffer at 0 (from an SGE, or inline), signaled, with {@code wrId}. */
    void send(long wrId, int length, boolean inline) {
        a.wrStart();
        a.wrId(wrId).wrFlags(SendFlags.SIGNALED).wrSend();
        if (inline) {
            a.wrSetInlineData(segA(), 0, length);
        } else {
            a.wrSetSge(mrA.lkey(), addrA(0), length);
        }
        a.wrComplete();
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
