package dev.qpair.nvme;

import dev.qpair.nvme.controller.Namespace;
import dev.qpair.nvme.controller.NvmeDevice;
import java.lang.foreign.MemorySegment;

/** A controller model, its namespaces and an attached host driver, closed in reverse order. */
final class Rig implements AutoCloseable {

    final DmaMap dma = new DmaMap();
    final Namespace[] namespaces;
    final NvmeDevice device;
    final NvmeCtrlr ctrlr;

    private Rig(boolean inline, int ioQueues, Namespace... namespaces) {
        this(inline, ioQueues, 0, namespaces);
    }

    private Rig(boolean inline, int ioQueues, long cmbBytes, Namespace... namespaces) {
        this.namespaces = namespaces;
        this.device = NvmeDevice.create(dma, ioQueues, "QPAIR-TEST-0001", cmbBytes, namespaces);
        if (!inline) {
            device.start();
        }
        this.ctrlr = NvmeCtrlr.attach(device.registers(), dma, inline ? device::process : null, 32, ioQueues);
    }

    /** Inline mode, NSID 1: 2048 blocks of 512 B, NSID 2: 256 blocks of 4 KiB. */
    static Rig inline() {
        return new Rig(true, 4, Namespace.inMemory(2048, 512), Namespace.inMemory(256, 4096));
    }

    static Rig threaded() {
        return new Rig(false, 4, Namespace.inMemory(2048, 512), Namespace.inMemory(256, 4096));
    }

    /** Inline mode with a controller memory buffer of {@code cmbBytes}. */
    static Rig withCmb(long cmbBytes) {
        return new Rig(true, 4, cmbBytes, Namespace.inMemory(2048, 512), Namespace.inMemory(256, 4096));
    }

    /** {@code ioQueues} I/O queue pairs allowed, NSID 1: 2048 blocks of 512 B. */
    static Rig withQueues(boolean inline, int ioQueues) {
        return new Rig(inline, ioQueues, Namespace.inMemory(2048, 512));
    }

    static Rig of(boolean inline, Namespace... namespaces) {
        return new Rig(inline, 4, namespaces);
    }

    MemorySegment buffer(long bytes) {
        return ctrlr.allocateDmaBuffer(bytes);
    }

    @Override
    public void close() {
        try {
            ctrlr.close();
        } finally {
            device.close();
            for (Namespace ns : namespaces) {
                ns.close();
            }
        }
    }
}
