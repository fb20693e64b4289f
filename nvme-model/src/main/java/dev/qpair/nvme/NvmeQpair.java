package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import dev.qpair.rings.nvme.DoorbellSummary;
import dev.qpair.rings.nvme.NvmeCqe;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.rings.nvme.NvmeSqe;
import java.lang.foreign.MemorySegment;

/**
 * A submission/completion queue pair on the host, shaped like SPDK's {@code spdk_nvme_qpair}:
 * submit commands with a callback and an argument, then {@link #processCompletions} to poll.
 *
 * <p>The command identifier is the index of the tracker that holds the callback, so a
 * completion finds its command without a search. Submissions only write SQEs; the SQ tail
 * doorbell is rung once for the whole burst by {@link #ringDoorbell()}, which
 * {@link #processCompletions} calls first (SPDK's delayed doorbell). A submission returns
 * {@code false} when the SQ is full by the SQ head the controller reported in its CQEs, or when
 * every tracker is in use: poll, then retry. A qpair belongs to one thread at a time. Submitting
 * and polling allocate nothing.
 */
public final class NvmeQpair {

    private static final int PAGE = NvmeRegs.PAGE_SIZE;
    private static final long PAGE_MASK = PAGE - 1;

    private final NvmeCtrlr ctrlr;
    private final int qid;
    private final int entries;
    private final MemorySegment sq;
    private final MemorySegment cq;
    private final MemorySegment bar;
    private final long sqTailDoorbell;
    private final long cqHeadDoorbell;
    private final Runnable inlineEngine;
    private final NvmeCallback[] callbacks;
    private final Object[] args;
    private final int[] freeTrackers;
    private final MemorySegment prpLists;
    private final int prpListBytes;
    private final NvmeCompletion completion = new NvmeCompletion();
    private int freeCount;
    private int sqTail;
    private int sqHead;
    private int rungTail;
    private int cqHead;
    private int phase = 1;
    private long spuriousCompletions;
    private long lastSqe;
    private boolean freed;
    private MemorySegment shadowDoorbells;
    private MemorySegment eventIdx;
    private long mmioDoorbells;

    NvmeQpair(NvmeCtrlr ctrlr, int qid, int entries, MemorySegment sq, MemorySegment cq, MemorySegment prpLists,
            int prpListBytes) {
        this.ctrlr = ctrlr;
        this.qid = qid;
        this.entries = entries;
        this.sq = sq;
        this.cq = cq;
        this.bar = ctrlr.registers();
        this.sqTailDoorbell = NvmeQueues.sqTailDoorbell(qid, ctrlr.dstrd());
        this.cqHeadDoorbell = NvmeQueues.cqHeadDoorbell(qid, ctrlr.dstrd());
        this.inlineEngine = ctrlr.inlineEngine();
        this.prpLists = prpLists;
        this.prpListBytes = prpListBytes;
        int trackers = entries - 1;
        this.callbacks = new NvmeCallback[trackers];
        this.args = new Object[trackers];
        this.freeTrackers = new int[trackers];
        for (int i = 0; i < trackers; i++) {
            freeTrackers[i] = trackers - 1 - i;
        }
        this.freeCount = trackers;
    }

    /** The queue identifier (0 for the admin qpair). */
    public int qid() {
        return qid;
    }

    /** Queue size in entries; at most {@code entries - 1} commands are outstanding. */
    public int entries() {
        return entries;
    }

    /** Commands submitted and not yet completed. */
    public int outstanding() {
        return entries - 1 - freeCount;
    }

    /** Completions whose CID named no outstanding command; they are dropped. */
    public long spuriousCompletions() {
        return spuriousCompletions;
    }

    /**
     * Queues a Read of {@code lbaCount} blocks from {@code slba} of namespace {@code nsid} into
     * {@code buffer}, which must be DMA-mapped and exactly {@code lbaCount} blocks long.
     *
     * @return {@code false} when the queue is full
     * @throws IllegalArgumentException naming the argument, its value and the limit
     */
    public boolean read(int nsid, MemorySegment buffer, long slba, int lbaCount, NvmeCallback callback, Object arg) {
        return readWrite(NvmeOpcodes.NVM_READ, nsid, buffer, slba, lbaCount, callback, arg);
    }

    /** Queues a Write; see {@link #read}. */
    public boolean write(int nsid, MemorySegment buffer, long slba, int lbaCount, NvmeCallback callback, Object arg) {
        return readWrite(NvmeOpcodes.NVM_WRITE, nsid, buffer, slba, lbaCount, callback, arg);
    }

    /**
     * Queues a Read into {@code count} scattered buffers (any byte alignment, DMA-mapped, lengths
     * summing to {@code lbaCount} blocks), described by an SGL: one data block descriptor in SGL1,
     * or a last-segment descriptor pointing at this command's list of data blocks.
     *
     * @return {@code false} when the queue is full
     * @throws IllegalArgumentException naming the argument, its value and the limit
     */
    public boolean readv(int nsid, MemorySegment[] buffers, int count, long slba, int lbaCount, NvmeCallback callback,
            Object arg) {
        return submitSgl(NvmeOpcodes.NVM_READ, nsid, buffers, count, slba, lbaCount, callback, arg);
    }

    /** Queues a Write from scattered buffers; see {@link #readv}. */
    public boolean writev(int nsid, MemorySegment[] buffers, int count, long slba, int lbaCount, NvmeCallback callback,
            Object arg) {
        return submitSgl(NvmeOpcodes.NVM_WRITE, nsid, buffers, count, slba, lbaCount, callback, arg);
    }

    private boolean submitSgl(int opcode, int nsid, MemorySegment[] buffers, int count, long slba, int lbaCount,
            NvmeCallback callback, Object arg) {
        checkLbaCount(lbaCount);
        checkCallback(callback);
        int maxDescriptors = prpListBytes / NvmeSqe.SGL_DESCRIPTOR_SIZE;
        if (count < 1 || count > buffers.length || count > maxDescriptors) {
            throw new IllegalArgumentException("count " + count + " is out of range [1, " + Math.min(buffers.length, maxDescriptors)
                    + "] (buffers.length, SGL descriptors per command)");
        }
        long bytes = (long) lbaCount * ctrlr.lbaSize(nsid);
        if (bytes > ctrlr.maxTransferBytes()) {
            throw new IllegalArgumentException("transfer of " + bytes + " bytes exceeds MDTS, " + ctrlr.maxTransferBytes() + " bytes");
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            MemorySegment b = buffers[i];
            if (!ctrlr.dma().isMapped(b.address(), b.byteSize())) {
                throw new IllegalArgumentException(String.format("buffers[%d] [0x%x, +%d) is not DMA-mapped", i, b.address(), b.byteSize()));
            }
            total += b.byteSize();
        }
        if (total != bytes) {
            throw new IllegalArgumentException("buffers hold " + total + " bytes; lbaCount " + lbaCount + " needs " + bytes);
        }
        if (freeCount == 0 || NvmeQueues.isFull(sqHead, sqTail, entries)) {
            return false;
        }
        long slot = (long) freeTrackers[freeCount - 1] * prpListBytes;
        if (!submit(opcode, nsid, 0, 0, (int) slba, (int) (slba >>> 32), lbaCount - 1, 0, callback, arg)) {
            return false;
        }
        NvmeSqe.fusePsdt(sq, lastSqe, 0, NvmeSqe.PSDT_SGL_MPTR_CONTIGUOUS);
        if (count == 1) {
            NvmeSqe.sgl1(sq, lastSqe, buffers[0].address(), (int) buffers[0].byteSize(), NvmeSqe.SGL_TYPE_DATA_BLOCK);
        } else {
            for (int i = 0; i < count; i++) {
                NvmeSqe.sglDescriptor(prpLists, slot + (long) i * NvmeSqe.SGL_DESCRIPTOR_SIZE, buffers[i].address(),
                        (int) buffers[i].byteSize(), NvmeSqe.SGL_TYPE_DATA_BLOCK);
            }
            NvmeSqe.sgl1(sq, lastSqe, prpLists.address() + slot, count * NvmeSqe.SGL_DESCRIPTOR_SIZE, NvmeSqe.SGL_TYPE_LAST_SEGMENT);
        }
        return true;
    }

    /** Queues a Flush of namespace {@code nsid} (0xFFFFFFFF: all namespaces). */
    public boolean flush(int nsid, NvmeCallback callback, Object arg) {
        checkCallback(callback);
        return submit(NvmeOpcodes.NVM_FLUSH, nsid, 0, 0, 0, 0, 0, 0, callback, arg);
    }

    /** Queues a Write Zeroes of {@code lbaCount} blocks from {@code slba}. */
    public boolean writeZeroes(int nsid, long slba, int lbaCount, NvmeCallback callback, Object arg) {
        checkLbaCount(lbaCount);
        checkCallback(callback);
        return submit(NvmeOpcodes.NVM_WRITE_ZEROES, nsid, 0, 0, (int) slba, (int) (slba >>> 32), lbaCount - 1, 0,
                callback, arg);
    }

    /**
     * Queues a Dataset Management deallocate of the ranges in {@code ranges}: 16-byte entries
     * (context attributes, length in blocks, SLBA), DMA-mapped, 1 to 256 of them.
     */
    public boolean deallocate(int nsid, MemorySegment ranges, NvmeCallback callback, Object arg) {
        long n = ranges.byteSize() / 16;
        if (n < 1 || n > 256 || ranges.byteSize() % 16 != 0) {
            throw new IllegalArgumentException("ranges.byteSize() " + ranges.byteSize() + " must be 16 to 4096 bytes in 16-byte entries");
        }
        checkCallback(callback);
        checkMapped(ranges);
        return submitData(NvmeOpcodes.NVM_DATASET_MANAGEMENT, nsid, ranges, (int) n - 1, 1 << 2, 0, callback, arg);
    }

    /**
     * Queues exactly the given command fields, with this qpair's CID and PRPs for {@code data}
     * (may be {@code null}). For tools and tests that need commands the typed calls refuse.
     */
    public boolean submitRaw(int opcode, int nsid, MemorySegment data, int cdw10, int cdw11, int cdw12, int cdw13,
            NvmeCallback callback, Object arg) {
        checkCallback(callback);
        if (data == null) {
            return submit(opcode, nsid, 0, 0, cdw10, cdw11, cdw12, cdw13, callback, arg);
        }
        checkMapped(data);
        return submitData(opcode, nsid, data, cdw10, cdw11, cdw12, callback, arg, cdw13);
    }

    /** Queues a command with exactly these PRP1/PRP2 values, unchecked: for tests of the controller's validation. */
    boolean submitPrp(int opcode, int nsid, long prp1, long prp2, int cdw10, int cdw11, int cdw12, int cdw13,
            NvmeCallback callback, Object arg) {
        return submit(opcode, nsid, prp1, prp2, cdw10, cdw11, cdw12, cdw13, callback, arg);
    }

    private boolean readWrite(int opcode, int nsid, MemorySegment buffer, long slba, int lbaCount, NvmeCallback callback,
            Object arg) {
        checkLbaCount(lbaCount);
        checkCallback(callback);
        int lbaSize = ctrlr.lbaSize(nsid);
        long bytes = (long) lbaCount * lbaSize;
        if (buffer.byteSize() != bytes) {
            throw new IllegalArgumentException("buffer.byteSize() " + buffer.byteSize() + " must equal lbaCount " + lbaCount
                    + " x " + lbaSize + " B = " + bytes);
        }
        if (bytes > ctrlr.maxTransferBytes()) {
            throw new IllegalArgumentException("transfer of " + bytes + " bytes exceeds MDTS, " + ctrlr.maxTransferBytes() + " bytes");
        }
        checkMapped(buffer);
        return submitData(opcode, nsid, buffer, (int) slba, (int) (slba >>> 32), lbaCount - 1, callback, arg, 0);
    }

    private boolean submitData(int opcode, int nsid, MemorySegment buffer, int cdw10, int cdw11, int cdw12,
            NvmeCallback callback, Object arg) {
        return submitData(opcode, nsid, buffer, cdw10, cdw11, cdw12, callback, arg, 0);
    }

    private boolean submitData(int opcode, int nsid, MemorySegment buffer, int cdw10, int cdw11, int cdw12,
            NvmeCallback callback, Object arg, int cdw13) {
        if (freeCount == 0 || NvmeQueues.isFull(sqHead, sqTail, entries)) {
            return false;
        }
        int tracker = freeTrackers[freeCount - 1];
        long address = buffer.address();
        long length = buffer.byteSize();
        long first = PAGE - (address & PAGE_MASK);
        long prp2 = 0;
        if (length > first) {
            long rest = length - first;
            if (rest <= PAGE) {
                prp2 = address + first;
            } else {
                long slot = (long) tracker * prpListBytes;
                long pages = (rest + PAGE_MASK) / PAGE;
                if (pages * 8 > prpListBytes) {
                    throw new IllegalArgumentException("buffer of " + length + " bytes needs " + pages
                            + " PRP entries; the qpair's PRP lists hold " + prpListBytes / 8);
                }
                for (long i = 0; i < pages; i++) {
                    prpLists.set(JAVA_LONG, slot + i * 8, address + first + i * PAGE);
                }
                prp2 = prpLists.address() + slot;
            }
        }
        return submit(opcode, nsid, address, prp2, cdw10, cdw11, cdw12, cdw13, callback, arg);
    }

    private boolean submit(int opcode, int nsid, long prp1, long prp2, int cdw10, int cdw11, int cdw12, int cdw13,
            NvmeCallback callback, Object arg) {
        if (freed) {
            throw new IllegalStateException("qpair " + qid + " was freed: allocate a new one");
        }
        if (freeCount == 0 || NvmeQueues.isFull(sqHead, sqTail, entries)) {
            return false;
        }
        int cid = freeTrackers[--freeCount];
        callbacks[cid] = callback;
        args[cid] = arg;
        long e = NvmeSqe.offset(sqTail);
        NvmeSqe.write(sq, e, opcode, cid, nsid, prp1, prp2, cdw10, cdw11, cdw12, cdw13);
        lastSqe = e;
        sqTail = NvmeQueues.next(sqTail, entries);
        return true;
    }

    /**
     * Rings the SQ tail doorbell if commands were queued since the last ring: one doorbell per
     * burst. With shadow doorbells the new tail goes to the Shadow Doorbell buffer, and the MMIO
     * doorbell is written only when the tail passes the controller's EventIdx.
     */
    public void ringDoorbell() {
        ringSq();
    }

    private boolean ringSq() {
        if (sqTail == rungTail) {
            return false;
        }
        int old = rungTail;
        rungTail = sqTail;
        long shadowOffset = sqTailDoorbell - NvmeQueues.DOORBELL_BASE;
        if (shadowDoorbells != null) {
            Barriers.smpStoreReleaseInt(shadowDoorbells, shadowOffset, sqTail); // wmb()+store, nvme_dbbuf_update_and_check_event: SQEs before the shadow tail
            Barriers.mb(); // mb(): the shadow tail store before the EventIdx load
            int event = Barriers.readOnceInt(eventIdx, shadowOffset); // READ_ONCE(): the controller's EventIdx
            if (!NvmeQueues.needEvent(event, sqTail, old, entries)) {
                return false;
            }
        }
        mmioDoorbells++;
        Mmio.writel(bar, sqTailDoorbell, sqTail); // writel(): the SQEs and PRP lists before the SQ tail doorbell
        DoorbellSummary.notify(bar, qid);
        if (inlineEngine != null) {
            inlineEngine.run();
            return true;
        }
        return false;
    }

    /** MMIO doorbell writes (SQ tail and CQ head) this qpair made; shadow doorbells save some. */
    public long mmioDoorbellWrites() {
        return mmioDoorbells;
    }

    /** Switches this qpair to the Shadow Doorbell and EventIdx buffers (one page each). */
    void useShadowDoorbells(MemorySegment shadow, MemorySegment events) {
        shadow.set(JAVA_INT, sqTailDoorbell - NvmeQueues.DOORBELL_BASE, rungTail);
        shadow.set(JAVA_INT, cqHeadDoorbell - NvmeQueues.DOORBELL_BASE, cqHead);
        this.shadowDoorbells = shadow;
        this.eventIdx = events;
    }

    /**
     * Rings a pending SQ doorbell, then consumes up to {@code max} completions ({@code max <= 0} or
     * more than the queue can hold: {@code entries - 1}) and calls their callbacks; one CQ head
     * doorbell per call. Capping the batch below the queue size means the head is always returned
     * to the controller before the CQ could wrap onto unconsumed entries.
     *
     * @return completions processed
     */
    public int processCompletions(int max) {
        if (!ringSq() && inlineEngine != null && freeCount != entries - 1) {
            inlineEngine.run();
        }
        int oldHead = cqHead;
        int cap = entries - 1;
        int limit = max <= 0 || max > cap ? cap : max;
        int n = 0;
        while (n < limit) {
            long e = NvmeCqe.offset(cqHead);
            long high = Barriers.readOnceLong(cq, e + NvmeCqe.HIGH_OFFSET); // READ_ONCE(): the phase word, as nvme_cqe_pending
            if (NvmeCqe.phaseOf(high) != phase) {
                break;
            }
            Barriers.dmaRmb(); // dma_rmb(): the phase tag load before the DW0-DW1 load
            long low = cq.get(JAVA_LONG, e + NvmeCqe.LOW_OFFSET);
            cqHead = NvmeQueues.next(cqHead, entries);
            if (cqHead == 0) {
                phase ^= 1;
            }
            n++;
            int sqhd = NvmeCqe.sqhdOf(high);
            if (sqhd < entries) {
                sqHead = sqhd;
            }
            int cid = NvmeCqe.cidOf(high);
            if (cid >= callbacks.length || callbacks[cid] == null) {
                spuriousCompletions++;
                continue;
            }
            NvmeCallback callback = callbacks[cid];
            Object arg = args[cid];
            callbacks[cid] = null;
            args[cid] = null;
            freeTrackers[freeCount++] = cid;
            completion.set(cid, NvmeCqe.statusOf(high), (int) low, sqhd, NvmeCqe.sqidOf(high));
            callback.onCompletion(arg, completion);
        }
        if (n > 0) {
            if (shadowDoorbells != null) {
                long shadowOffset = cqHeadDoorbell - NvmeQueues.DOORBELL_BASE;
                Barriers.smpStoreReleaseInt(shadowDoorbells, shadowOffset, cqHead); // smp_store_release(): the CQE reads before the shadow head frees their slots
                Barriers.mb(); // mb(): the shadow head store before the EventIdx load
                int event = Barriers.readOnceInt(eventIdx, shadowOffset); // READ_ONCE(): the controller's EventIdx
                if (!NvmeQueues.needEvent(event, cqHead, oldHead, entries)) {
                    return n;
                }
            }
            mmioDoorbells++;
            Mmio.writel(bar, cqHeadDoorbell, cqHead); // writel(): the CQE reads before the head doorbell frees their slots
        }
        return n;
    }

    private void checkMapped(MemorySegment buffer) {
        if ((buffer.address() & 3) != 0) {
            throw new IllegalArgumentException(String.format("buffer address 0x%x is not dword aligned (PRP1 bits 1:0 must be 0)",
                    buffer.address()));
        }
        if (!ctrlr.dma().isMapped(buffer.address(), buffer.byteSize())) {
            throw new IllegalArgumentException(String.format("buffer [0x%x, +%d) is not DMA-mapped: map it with DmaMap.map first",
                    buffer.address(), buffer.byteSize()));
        }
    }

    private static void checkLbaCount(int lbaCount) {
        if (lbaCount < 1 || lbaCount > 65536) {
            throw new IllegalArgumentException("lbaCount " + lbaCount + " is out of range [1, 65536]");
        }
    }

    private static void checkCallback(NvmeCallback callback) {
        if (callback == null) {
            throw new IllegalArgumentException("callback is null: every command completes through one");
        }
    }

    MemorySegment prpLists() {
        return prpLists;
    }

    /**
     * Completes every outstanding command with {@code status} from the host side (SPDK's manual
     * completion when a qpair goes away) and refuses further submissions: each command is
     * accounted for exactly once.
     */
    void abortOutstanding(int status) {
        freed = true;
        for (int cid = 0; cid < callbacks.length; cid++) {
            NvmeCallback callback = callbacks[cid];
            if (callback != null) {
                Object arg = args[cid];
                callbacks[cid] = null;
                args[cid] = null;
                freeTrackers[freeCount++] = cid;
                completion.set(cid, status, 0, sqHead, qid);
                callback.onCompletion(arg, completion);
            }
        }
    }

    /** Byte offset of the SQE written last, for tests that edit a queued command before the doorbell. */
    long lastSqe() {
        return lastSqe;
    }

    MemorySegment submissionQueue() {
        return sq;
    }

    MemorySegment completionQueue() {
        return cq;
    }
}
