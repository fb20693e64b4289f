package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Bring-up, identify and I/O through the SPDK-shaped host driver against the controller model. */
class HostDriverTest {

    @Test
    void bringUpIdentifiesTheControllerAndItsNamespaces() throws Exception {
        try (Rig rig = Rig.inline()) {
            assertEquals("QPAIR-TEST-0001", rig.ctrlr.serialNumber());
            assertEquals("Qpair NVMe controller model", rig.ctrlr.modelNumber());
            assertEquals(2, rig.ctrlr.namespaceCount());
            assertEquals(2048, rig.ctrlr.namespaceSize(1));
            assertEquals(512, rig.ctrlr.lbaSize(1));
            assertEquals(256, rig.ctrlr.namespaceSize(2));
            assertEquals(4096, rig.ctrlr.lbaSize(2));
            assertEquals(128 * 1024, rig.ctrlr.maxTransferBytes());
            assertEquals(4, rig.ctrlr.maxIoQpairs());
        }
    }

    @Test
    void identifyDataStructuresCarryTheSpecFields() throws Exception {
        try (Rig rig = Rig.inline()) {
            MemorySegment id = rig.buffer(4096);
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 0, id, NvmeOpcodes.CNS_CONTROLLER, 0, 0, 0));
            assertEquals(0x1D1D, id.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0) & 0xFFFF, "VID");
            assertEquals("0.1.0   ", new String(id.asSlice(64, 8).toArray(JAVA_BYTE), java.nio.charset.StandardCharsets.US_ASCII), "FR");
            assertEquals(5, id.get(JAVA_BYTE, 77), "MDTS");
            assertEquals(0x66, id.get(JAVA_BYTE, 512) & 0xFF, "SQES: 64-byte entries");
            assertEquals(0x44, id.get(JAVA_BYTE, 513) & 0xFF, "CQES: 16-byte entries");
            assertEquals(2, id.get(JAVA_INT, 516), "NN");
            assertEquals(0b1100, id.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 520) & 0b1100, "ONCS: DSM and Write Zeroes");
            assertEquals(1, id.get(JAVA_INT, 536) & 3, "SGLS: SGLs supported");
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 2, id, NvmeOpcodes.CNS_NAMESPACE, 0, 0, 0));
            assertEquals(256, id.get(JAVA_LONG, 0), "NSZE");
            assertEquals(256, id.get(JAVA_LONG, 8), "NCAP");
            assertEquals(1, id.get(JAVA_BYTE, 25), "NLBAF: two formats, 0-based");
            assertEquals(1, id.get(JAVA_BYTE, 26) & 0xF, "FLBAS: format 1");
            assertEquals(9, (id.get(JAVA_INT, 128) >>> 16) & 0xFF, "LBAF0: 512 B");
            assertEquals(12, (id.get(JAVA_INT, 132) >>> 16) & 0xFF, "LBAF1: 4 KiB");
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 1, id, NvmeOpcodes.CNS_ACTIVE_NAMESPACES, 0, 0, 0));
            assertEquals(2, id.get(JAVA_INT, 0), "active NSIDs above 1");
            assertEquals(0, id.get(JAVA_INT, 4));
            id.set(JAVA_INT, 0, -1);
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_IDENTIFY, 0x80000000, id, NvmeOpcodes.CNS_ACTIVE_NAMESPACES, 0, 0, 0));
            assertEquals(0, id.get(JAVA_INT, 0), "no active NSID above 0x80000000");
        }
    }

    @Test
    void writeThenReadReturnsTheDataIn512BAnd4KFormats() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(16);
            for (int nsid = 1; nsid <= 2; nsid++) {
                int lba = rig.ctrlr.lbaSize(nsid);
                MemorySegment out = rig.buffer(8L * lba);
                MemorySegment in = rig.buffer(8L * lba);
                for (long i = 0; i < out.byteSize(); i++) {
                    out.set(JAVA_BYTE, i, (byte) (i * 31 + nsid));
                }
                Done done = new Done();
                assertTrue(qp.write(nsid, out, 100, 8, done, "w"));
                done.await(qp, 1);
                assertTrue(qp.read(nsid, in, 100, 8, done, "r"));
                done.await(qp, 2);
                assertEquals(0, done.failures);
                assertEquals("r", done.lastArg);
                assertEquals(-1, out.mismatch(in), "nsid " + nsid);
            }
        }
    }

    @Test
    void aTransferOverManyPagesUsesAPrpListAndAnUnalignedStart() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment backing = rig.buffer(128 * 1024 + 4096);
            MemorySegment out = backing.asSlice(512, 128 * 1024);
            for (long i = 0; i < out.byteSize(); i += 4) {
                out.set(JAVA_INT, i, (int) (i * 7 + 1));
            }
            Done done = new Done();
            assertTrue(qp.write(1, out, 0, 256, done, null));
            done.await(qp, 1);
            assertEquals(0, done.failures, NvmeStatus.describe(done.status));
            MemorySegment in = rig.buffer(128 * 1024);
            assertTrue(qp.read(1, in, 0, 256, done, null));
            done.await(qp, 2);
            assertEquals(-1, out.mismatch(in));
        }
    }

    @Test
    void scatteredByteAlignedBuffersTravelAsAnSgl() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment pool = rig.buffer(8192);
            MemorySegment[] parts = {pool.asSlice(3, 1000), pool.asSlice(2001, 24), pool.asSlice(4099, 512)};
            for (int p = 0; p < parts.length; p++) {
                for (int i = 0; i < parts[p].byteSize(); i++) {
                    parts[p].set(JAVA_BYTE, i, (byte) (p * 100 + i));
                }
            }
            Done done = new Done();
            assertTrue(qp.writev(1, parts, 3, 30, 3, done, null));
            MemorySegment whole = rig.buffer(1536);
            assertTrue(qp.read(1, whole, 30, 3, done, null));
            done.await(qp, 2);
            assertEquals(0, done.failures, NvmeStatus.describe(done.status));
            assertEquals(-1, whole.asSlice(0, 1000).mismatch(parts[0]));
            assertEquals(-1, whole.asSlice(1000, 24).mismatch(parts[1]));
            assertEquals(-1, whole.asSlice(1024, 512).mismatch(parts[2]));
            MemorySegment single = rig.buffer(2048).asSlice(1, 1536);
            assertTrue(qp.readv(1, new MemorySegment[] {single}, 1, 30, 3, done, null));
            done.await(qp, 3);
            assertEquals(-1, single.mismatch(whole), "one SGL data block");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> qp.writev(1, parts, 2, 30, 3, done, null));
            assertTrue(e.getMessage().contains("1024") && e.getMessage().contains("1536"), e.getMessage());
        }
    }

    @Test
    void writeZeroesAndDeallocateZeroTheirRangesOnly() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment ones = rig.buffer(16 * 512);
            ones.fill((byte) 0x5A);
            Done done = new Done();
            assertTrue(qp.write(1, ones, 0, 16, done, null));
            assertTrue(qp.writeZeroes(1, 2, 2, done, null));
            MemorySegment ranges = rig.buffer(16);
            ranges.set(JAVA_INT, 4, 3);
            ranges.set(JAVA_LONG, 8, 10);
            assertTrue(qp.deallocate(1, ranges, done, null));
            done.await(qp, 3);
            assertEquals(0, done.failures, NvmeStatus.describe(done.status));
            MemorySegment in = rig.buffer(16 * 512);
            assertTrue(qp.read(1, in, 0, 16, done, null));
            done.await(qp, 4);
            for (int lba = 0; lba < 16; lba++) {
                byte expected = (lba >= 2 && lba < 4) || (lba >= 10 && lba < 13) ? 0 : (byte) 0x5A;
                for (int b = 0; b < 512; b += 64) {
                    assertEquals(expected, in.get(JAVA_BYTE, lba * 512L + b), "lba " + lba);
                }
            }
        }
    }

    @Test
    void submissionsWaitForOneDoorbellAndAFullQueueRefuses() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            assertTrue(qp.read(1, buf, 0, 1, done, null));
            assertTrue(qp.read(1, buf, 1, 1, done, null));
            assertTrue(qp.read(1, buf, 2, 1, done, null));
            assertFalse(qp.read(1, buf, 3, 1, done, null), "a queue of 4 entries holds 3 commands");
            assertEquals(3, qp.outstanding());
            rig.device.process();
            assertEquals(0, done.count, "nothing reaches the controller before the doorbell");
            assertEquals(3, qp.processCompletions(0));
            assertEquals(3, done.count);
            assertEquals(0, qp.outstanding());
            assertTrue(qp.read(1, buf, 3, 1, done, null));
            done.await(qp, 4);
        }
    }

    @Test
    void manyCommandsWrapTheQueuesAndInvertThePhase() throws Exception {
        try (Rig rig = Rig.threaded()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(5);
            MemorySegment buf = rig.buffer(4096);
            Done done = new Done();
            int submitted = 0;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (submitted < 1000) {
                if (qp.read(2, buf, submitted % 256, 1, done, null)) {
                    submitted++;
                } else {
                    qp.processCompletions(0);
                }
                assertTrue(System.nanoTime() < deadline, "1000 reads within 30 s");
            }
            done.await(qp, 1000);
            assertEquals(0, done.failures);
        }
    }

    @Test
    void oneControllerThreadServesAQpairPerHostThread() throws Exception {
        try (Rig rig = Rig.threaded()) {
            runQpairPerThread(rig, 3);
        }
    }

    @Test
    void inlineEngineRunsInOnePlaceWhenTwoHostThreadsRing() throws Exception {
        try (Rig rig = Rig.inline()) {
            runQpairPerThread(rig, 2);
        }
    }

    private static void runQpairPerThread(Rig rig, int threads) throws Exception {
        NvmeQpair[] qpairs = new NvmeQpair[threads];
        MemorySegment[] buffers = new MemorySegment[threads];
        for (int t = 0; t < threads; t++) {
            qpairs[t] = rig.ctrlr.allocIoQpair(32);
            buffers[t] = rig.buffer(4096);
        }
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers[t] = Thread.ofPlatform().start(() -> {
                try {
                    NvmeQpair qp = qpairs[me];
                    MemorySegment buf = buffers[me];
                    Done done = new Done();
                    for (int round = 0; round < 50; round++) {
                        buf.fill((byte) (me * 50 + round));
                        long lba = me * 64L + round % 64;
                        if (!qp.write(2, buf, lba, 1, done, null)) {
                            throw new AssertionError("queue full with one command outstanding");
                        }
                        done.await(qp, 2 * round + 1);
                        buf.fill((byte) 0);
                        if (!qp.read(2, buf, lba, 1, done, null)) {
                            throw new AssertionError("queue full with one command outstanding");
                        }
                        done.await(qp, 2 * round + 2);
                        if (buf.get(JAVA_BYTE, 4095) != (byte) (me * 50 + round) || done.failures != 0) {
                            throw new AssertionError("qpair " + qp.qid() + " round " + round + " read back other data");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        for (Thread w : workers) {
            w.join(10_000);
            assertFalse(w.isAlive(), "worker finished within 10 s");
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void processCompletionsTakesAtMostMaxAndFreedQpairsAreDeleted() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(8);
            MemorySegment buf = rig.buffer(512);
            Done done = new Done();
            for (int i = 0; i < 7; i++) {
                assertTrue(qp.read(1, buf, i, 1, done, null));
            }
            assertEquals(2, qp.processCompletions(2));
            assertEquals(3, qp.processCompletions(3));
            assertEquals(2, qp.processCompletions(100), "capped at what is there, at most entries - 1");
            assertTrue(qp.flush(0xFFFFFFFF, done, "all"));
            done.await(qp, 8);
            assertEquals(0, done.failures, NvmeStatus.describe(done.status));
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_GET_FEATURES, 0, null,
                    NvmeOpcodes.FID_NUMBER_OF_QUEUES, 0, 0, 0));
            assertEquals(3 | 3 << 16, rig.ctrlr.lastAdminDw0(), "4 SQs and 4 CQs allocated, 0-based");
            assertEquals(NvmeStatus.SUCCESS, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_GET_FEATURES, 0, null,
                    NvmeOpcodes.FID_VOLATILE_WRITE_CACHE, 0, 0, 0));
            assertEquals(1, rig.ctrlr.lastAdminDw0() & 1, "volatile write cache enabled: Flush is needed for durability");
            rig.ctrlr.freeIoQpair(qp);
            assertEquals(NvmeStatus.INVALID_QUEUE_IDENTIFIER, rig.ctrlr.adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_SQ, 0, null,
                    qp.qid(), 0, 0, 0), "the SQ is gone");
            NvmeQpair again = rig.ctrlr.allocIoQpair(8);
            assertEquals(qp.qid(), again.qid(), "the queue id is reused");
        }
    }

    @Test
    void everyCommandCompletesOnceAcrossQpairDeletionAndShutdown() throws Exception {
        DmaMap dma = new DmaMap();
        try (dev.qpair.nvme.controller.Namespace ns = dev.qpair.nvme.controller.Namespace.inMemory(64, 512);
                dev.qpair.nvme.controller.NvmeDevice device = dev.qpair.nvme.controller.NvmeDevice.create(dma, 2, "S", ns)) {
            NvmeCtrlr ctrlr = NvmeCtrlr.attach(device.registers(), dma, device::process, 8, 2);
            MemorySegment buf = ctrlr.allocateDmaBuffer(512);
            Done drained = new Done();
            NvmeQpair first = ctrlr.allocIoQpair(8);
            for (int i = 0; i < 3; i++) {
                assertTrue(first.read(1, buf, i, 1, drained, null));
            }
            ctrlr.freeIoQpair(first);
            assertEquals(3, drained.count, "freeIoQpair drains what the controller can still complete");
            assertEquals(0, drained.failures);
            assertThrows(IllegalStateException.class, () -> first.read(1, buf, 0, 1, drained, null));
            Done aborted = new Done();
            NvmeQpair second = ctrlr.allocIoQpair(8);
            for (int i = 0; i < 3; i++) {
                assertTrue(second.read(1, buf, i, 1, aborted, null));
            }
            ctrlr.close();
            assertEquals(3, aborted.count, "commands never rung before shutdown complete once, host-side");
            assertEquals(NvmeStatus.ABORTED_SQ_DELETION, aborted.status);
            assertEquals(3, drained.count, "nothing completes twice");
        }
    }

    @Test
    void badArgumentsThrowNamingTheValueAndTheLimit() throws Exception {
        try (Rig rig = Rig.inline()) {
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            Done done = new Done();
            MemorySegment buf = rig.buffer(1024);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> qp.read(1, buf, 0, 1, done, null));
            assertTrue(e.getMessage().contains("1024") && e.getMessage().contains("512"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> qp.read(1, buf.asSlice(0, 512), 0, 0, done, null));
            assertTrue(e.getMessage().contains("lbaCount 0"), e.getMessage());
            MemorySegment unmapped = java.lang.foreign.Arena.ofAuto().allocate(512, 4096);
            e = assertThrows(IllegalArgumentException.class, () -> qp.read(1, unmapped, 0, 1, done, null));
            assertTrue(e.getMessage().contains("not DMA-mapped"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> rig.ctrlr.allocIoQpair(1025));
            assertTrue(e.getMessage().contains("1025") && e.getMessage().contains("1024"), e.getMessage());
        }
    }
}
