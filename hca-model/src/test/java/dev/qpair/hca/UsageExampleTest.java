package dev.qpair.hca;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.rings.WcStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's example, compiled and run: two devices on one loopback fabric, an RDMA WRITE, a poll. */
@Timeout(30)
class UsageExampleTest {

    @Test
    void readmeExample() {
        LoopbackProvider fabric = new LoopbackProvider();
        try (Device dev = Device.open(fabric, DeviceMode.THREAD); Device peerDev = Device.open(fabric, DeviceMode.THREAD);
                AlignedBuffer local = AlignedBuffer.allocate(4096, Alignment.PAGE);
                AlignedBuffer remote = AlignedBuffer.allocate(4096, Alignment.PAGE)) {
            ProtectionDomain pd = dev.allocPd();
            ProtectionDomain peerPd = peerDev.allocPd();
            MemoryRegion mr = pd.regMr(local, AccessFlags.LOCAL_WRITE);
            MemoryRegion peerMr = peerPd.regMr(remote, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
            CompletionQueue cq = dev.createCq(256);
            CompletionQueue peerCq = peerDev.createCq(256);
            QueuePair qp = dev.createQp(pd, cq, cq, new QpInitAttr().maxInlineData(64));
            QueuePair peer = peerDev.createQp(peerPd, peerCq, peerCq, new QpInitAttr());
            qp.connect(peer.qpNum(), 7, 9);
            peer.connect(qp.qpNum(), 9, 7);
            local.segment().setString(0, "hello, verbs");

            qp.wrStart();
            qp.wrId(42).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(peerMr.rkey(), remote.segment().address())
                    .wrSetSge(mr.lkey(), local.segment().address(), 13);
            qp.wrComplete();
            while (!cq.startPoll()) {
                Thread.onSpinWait();
            }
            assertEquals(42, cq.wrId());
            assertEquals(WcStatus.SUCCESS, cq.status());
            cq.endPoll();
            assertEquals("hello, verbs", remote.segment().getString(0));

            qp.destroy();
            peer.destroy();
            mr.deregister();
            peerMr.deregister();
        }
    }
}
