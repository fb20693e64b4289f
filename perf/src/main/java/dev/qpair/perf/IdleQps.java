package dev.qpair.perf;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.Device;
import dev.qpair.hca.QpInitAttr;
import dev.qpair.hca.QueuePair;
import dev.qpair.memory.ProtectionDomain;

/**
 * Connected QPs that exist on a device but never ring a doorbell: {@code write-lat --idle-qps N}
 * adds them beside the measured pair, so that the row shows whether the device engine's cost per
 * loop grows with all QPs or only with those that have pending doorbells (issue 6). They are
 * created in connected pairs (RTS, as a busy server's would be) on their own PD and CQs, and
 * destroyed with the device.
 */
final class IdleQps {

    private IdleQps() {
    }

    /**
     * Creates {@code count} (even) idle QPs on {@code device}.
     *
     * @throws IllegalArgumentException when {@code count} is negative or odd
     */
    static void create(Device device, int count) {
        if (count < 0 || count % 2 != 0) {
            throw new IllegalArgumentException("idle QP count is " + count + ": it must be even and >= 0");
        }
        if (count == 0) {
            return;
        }
        ProtectionDomain pd = device.allocPd();
        CompletionQueue sendCq = device.createCq(2);
        CompletionQueue recvCq = device.createCq(2);
        QpInitAttr attr = new QpInitAttr().maxSendWr(1).maxRecvWr(1).maxSendSge(1).maxRecvSge(1).maxInlineData(0);
        for (int k = 0; k < count; k += 2) {
            QueuePair x = device.createQp(pd, sendCq, recvCq, attr);
            QueuePair y = device.createQp(pd, sendCq, recvCq, attr);
            x.connect(y.qpNum(), 300, 400);
            y.connect(x.qpNum(), 400, 300);
        }
    }
}
