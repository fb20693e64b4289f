package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Mmio;
import dev.qpair.rings.nvme.NvmeCqe;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.rings.nvme.NvmeSqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of one NVMe controller, shaped like SPDK's {@code spdk_nvme_ctrlr}: it brings the
 * controller up through its registers (disable, AQA/ASQ/ACQ, CC.EN = 1, wait for CSTS.RDY within
 * CAP.TO), identifies it and its namespaces, negotiates the number of queues, and creates I/O
 * qpairs. Queue memory, PRP lists and the admin buffer are allocated here and DMA-mapped.
 *
 * <p>Admin commands are synchronous and belong to one thread at a time; I/O qpairs are used
 * without locks by their own threads. With an inline engine (the controller model's
 * {@code process}), every doorbell the host rings runs the controller in the ringing thread.
 */
public final class NvmeCtrlr implements AutoCloseable {

    private static final int PAGE = NvmeRegs.PAGE_SIZE;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment bar;
    private final DmaMap dma;
    private final Runnable inlineEngine;
    private final long cap;
    private final List<MemorySegment> mapped = new ArrayList<>();
    private final MemorySegment adminBuffer;
    private final NvmeQpair admin;
    private final NvmeQpair[] ioQpairs;
    private final long timeoutNanos;
    private int adminStatus;
    private int adminDw0;
    private boolean adminDone;
    private Object adminAwaited;
    private final NvmeCallback adminCallback = (arg, cpl) -> {
        if (arg == adminAwaited) {
            adminStatus = cpl.status();
            adminDw0 = cpl.dw0();
            adminDone = true;
        }
    };
    private String serialNumber;
    private String modelNumber;
    private long maxTransferBytes;
    private int namespaceCount;
    private long[] nsze;
    private int[] lbaShift;
    private int maxIoQpairs;
    private MemorySegment cmb;
    private MemorySegment shadowDoorbells;
    private MemorySegment eventIdx;
    private int cmbsz;
    private long cmbUsed;

    private NvmeCtrlr(MemorySegment bar, DmaMap dma, Runnable inlineEngine, int adminEntries) {
        this.bar = bar;
        this.dma = dma;
        this.inlineEngine = inlineEngine;
        this.cap = Mmio.readq(bar, NvmeRegs.CAP); // readq(): CAP before the registers it describes
        this.timeoutNanos = Math.max(1, NvmeRegs.capTo(cap)) * 500_000_000L;
        int mqes = NvmeRegs.capMqes(cap) + 1;
        if (adminEntries < 2 || adminEntries > Math.min(mqes, 4096)) {
            throw new IllegalArgumentException("adminEntries " + adminEntries + " is out of range [2, " + Math.min(mqes, 4096) + "]");
        }
        if ((NvmeRegs.capCss(cap) & 1) == 0 || NvmeRegs.capMpsmin(cap) != 0) {
            throw new IllegalStateException(String.format("CAP 0x%x: the NVM command set or 4 KiB pages are not supported", cap));
        }
        try {
            if ((Mmio.readl(bar, NvmeRegs.CC) & NvmeRegs.CC_EN) != 0) { // readl(): current CC before we change it
                disable();
            }
            MemorySegment asq = allocateMapped((long) adminEntries * NvmeSqe.SIZE);
            MemorySegment acq = allocateMapped((long) adminEntries * NvmeCqe.SIZE);
            adminBuffer = allocateMapped(PAGE);
            Mmio.writel(bar, NvmeRegs.AQA, NvmeRegs.aqa(adminEntries - 1, adminEntries - 1)); // writel(): queue memory zeroed before the controller sees AQA
            Mmio.writeq(bar, NvmeRegs.ASQ, asq.address()); // writeq(): as above
            Mmio.writeq(bar, NvmeRegs.ACQ, acq.address()); // writeq(): as above
            admin = new NvmeQpair(this, 0, adminEntries, asq, acq, allocateMapped((adminEntries - 1) * 8L), 8);
            Mmio.writel(bar, NvmeRegs.CC, NvmeRegs.CC_EN | NvmeSqe.SIZE_SHIFT << NvmeRegs.CC_IOSQES_SHIFT
                    | NvmeCqe.SIZE_SHIFT << NvmeRegs.CC_IOCQES_SHIFT); // writel(): AQA, ASQ, ACQ before CC.EN
            waitForCsts(NvmeRegs.CSTS_RDY, NvmeRegs.CSTS_RDY, "CSTS.RDY = 1 after CC.EN = 1");
        } catch (RuntimeException e) {
            releaseMemory();
            throw e;
        }
        this.ioQpairs = new NvmeQpair[65536];
    }

    /**
     * Brings up the controller whose register page is {@code registers}: resets it if enabled,
     * creates the admin queues ({@code adminEntries} each), enables it, identifies it and its
     * namespaces and asks for {@code ioQpairs} I/O queue pairs.
     *
     * @param inlineEngine run after every doorbell the host rings (inline mode), or {@code null}
     *     when a controller thread polls
     * @throws IllegalStateException when the controller does not become ready within CAP.TO, or reports CSTS.CFS
     * @throws NvmeException when an admin command of the bring-up fails
     */
    public static NvmeCtrlr attach(MemorySegment registers, DmaMap dma, Runnable inlineEngine, int adminEntries, int ioQpairs) {
        if (registers == null || dma == null) {
            throw new IllegalArgumentException("registers and dma must not be null");
        }
        if (ioQpairs < 1 || ioQpairs > 65535) {
            throw new IllegalArgumentException("ioQpairs " + ioQpairs + " is out of range [1, 65535]");
        }
        NvmeCtrlr ctrlr = new NvmeCtrlr(registers, dma, inlineEngine, adminEntries);
        try {
            ctrlr.identify();
            int dw0 = ctrlr.adminChecked("Set Features (Number of Queues)", NvmeOpcodes.ADMIN_SET_FEATURES, 0, null,
                    NvmeOpcodes.FID_NUMBER_OF_QUEUES, (ioQpairs - 1) | (ioQpairs - 1) << 16, 0, 0);
            ctrlr.maxIoQpairs = Math.min((dw0 & 0xFFFF), (dw0 >>> 16)) + 1;
        } catch (RuntimeException e) {
            ctrlr.close();
            throw e;
        }
        return ctrlr;
    }

    private void identify() {
        adminChecked("Identify Controller", NvmeOpcodes.ADMIN_IDENTIFY, 0, adminBuffer, NvmeOpcodes.CNS_CONTROLLER, 0, 0, 0);
        serialNumber = ascii(4, 20);
        modelNumber = ascii(24, 40);
        int mdts = Byte.toUnsignedInt(adminBuffer.get(JAVA_BYTE, 77));
        maxTransferBytes = mdts == 0 ? 1L << 20 : Math.min(1L << 20, (long) PAGE << mdts);
        namespaceCount = adminBuffer.get(JAVA_INT, 516);
        nsze = new long[namespaceCount];
        lbaShift = new int[namespaceCount];
        for (int nsid = 1; nsid <= namespaceCount; nsid++) {
            adminChecked("Identify Namespace " + nsid, NvmeOpcodes.ADMIN_IDENTIFY, nsid, adminBuffer, NvmeOpcodes.CNS_NAMESPACE, 0, 0, 0);
            nsze[nsid - 1] = adminBuffer.get(JAVA_LONG, 0);
            int flbas = adminBuffer.get(JAVA_BYTE, 26) & 0xF;
            lbaShift[nsid - 1] = (adminBuffer.get(JAVA_INT, 128 + 4L * flbas) >>> 16) & 0xFF;
        }
    }

    private String ascii(long offset, int width) {
        byte[] bytes = new byte[width];
        MemorySegment.copy(adminBuffer, JAVA_BYTE, offset, bytes, 0, width);
        return new String(bytes, StandardCharsets.US_ASCII).strip();
    }

    /**
     * Creates an I/O completion queue and submission queue of {@code entries} each, with the
     * next free queue identifier.
     *
     * @throws IllegalArgumentException when {@code entries} is outside [2, CAP.MQES + 1]
     * @throws NvmeException when the controller refuses the queue (e.g. Invalid Queue Identifier)
     */
    public NvmeQpair allocIoQpair(int entries) {
        return allocIoQpair(entries, false);
    }

    /**
     * Creates an I/O qpair as {@link #allocIoQpair(int)}, with the submission queue in the
     * controller memory buffer when {@code sqInCmb} (see {@link #useControllerMemoryBuffer}).
     *
     * @throws IllegalStateException when the SQ should go to a CMB that is absent, lacks CMBSZ.SQS or is full
     */
    public NvmeQpair allocIoQpair(int entries, boolean sqInCmb) {
        if (sqInCmb && (cmbsz & NvmeRegs.CMBSZ_SQS) == 0) {
            throw new IllegalStateException("no controller memory buffer that holds submission queues: call useControllerMemoryBuffer "
                    + "on a controller whose CMBSZ.SQS is set");
        }
        int mqes = NvmeRegs.capMqes(cap) + 1;
        if (entries < 2 || entries > mqes) {
            throw new IllegalArgumentException("entries " + entries + " is out of range [2, " + mqes + "] (CAP.MQES + 1)");
        }
        int qid = 1;
        while (qid < ioQpairs.length && ioQpairs[qid] != null) {
            qid++;
        }
        MemorySegment sq = sqInCmb ? allocateCmbBuffer((long) entries * NvmeSqe.SIZE) : allocateMapped((long) entries * NvmeSqe.SIZE);
        MemorySegment cq = allocateMapped((long) entries * NvmeCqe.SIZE);
        int prpListBytes = Integer.highestOneBit((int) (maxTransferBytes / PAGE + 1) * 8 - 1) << 1;
        MemorySegment prpLists = allocateMapped((long) (entries - 1) * prpListBytes);
        if (shadowDoorbells != null) {
            shadowDoorbells.set(JAVA_INT, NvmeQueues.sqTailDoorbell(qid, dstrd()) - NvmeQueues.DOORBELL_BASE, 0);
            shadowDoorbells.set(JAVA_INT, NvmeQueues.cqHeadDoorbell(qid, dstrd()) - NvmeQueues.DOORBELL_BASE, 0);
        }
        createQueue("Create I/O Completion Queue " + qid, NvmeOpcodes.ADMIN_CREATE_IO_CQ, cq, qid | (entries - 1) << 16, 1);
        try {
            createQueue("Create I/O Submission Queue " + qid, NvmeOpcodes.ADMIN_CREATE_IO_SQ, sq, qid | (entries - 1) << 16, 1 | qid << 16);
        } catch (NvmeException e) {
            adminCommand(NvmeOpcodes.ADMIN_DELETE_IO_CQ, 0, null, qid, 0, 0, 0);
            throw e;
        }
        NvmeQpair qpair = new NvmeQpair(this, qid, entries, sq, cq, prpLists, prpListBytes);
        if (shadowDoorbells != null) {
            qpair.useShadowDoorbells(shadowDoorbells, eventIdx);
        }
        ioQpairs[qid] = qpair;
        return qpair;
    }

    /**
     * Sends Doorbell Buffer Config (when Identify OACS bit 8 says the controller supports it):
     * from then on I/O qpairs publish their SQ tails and CQ heads in a Shadow Doorbell buffer and
     * write MMIO doorbells only when the controller's EventIdx asks for one. Call it before
     * creating I/O qpairs.
     *
     * @throws IllegalStateException when I/O qpairs exist already
     * @throws NvmeException when the controller refuses the command
     */
    public void enableShadowDoorbells() {
        for (NvmeQpair q : ioQpairs) {
            if (q != null) {
                throw new IllegalStateException("I/O qpair " + q.qid() + " exists: enable shadow doorbells before creating I/O qpairs");
            }
        }
        MemorySegment shadow = allocateMapped(PAGE);
        MemorySegment events = allocateMapped(PAGE);
        adminDone = false;
        adminAwaited = new Object();
        if (!admin.submitPrp(NvmeOpcodes.ADMIN_DOORBELL_BUFFER_CONFIG, 0, shadow.address(), events.address(), 0, 0, 0, 0,
                adminCallback, adminAwaited)) {
            throw new IllegalStateException("the admin queue is full");
        }
        int status = awaitAdmin(NvmeOpcodes.ADMIN_DOORBELL_BUFFER_CONFIG);
        if (!NvmeStatus.isSuccess(status)) {
            throw new NvmeException("Doorbell Buffer Config", status);
        }
        shadowDoorbells = shadow;
        eventIdx = events;
    }

    /**
     * Drains the qpair (rings its doorbell and polls until nothing is outstanding, bounded by
     * CAP.TO), deletes its SQ, then its CQ, and completes whatever is still outstanding with
     * {@link NvmeStatus#ABORTED_SQ_DELETION}. Call it from the thread that owns the qpair.
     */
    public void freeIoQpair(NvmeQpair qpair) {
        if (qpair == null || qpair.qid() == 0 || ioQpairs[qpair.qid()] != qpair) {
            throw new IllegalArgumentException("qpair " + (qpair == null ? null : qpair.qid()) + " is not an I/O qpair of this controller");
        }
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (qpair.outstanding() > 0 && System.nanoTime() - deadline < 0) {
                if (qpair.processCompletions(0) == 0) {
                    Thread.onSpinWait();
                }
            }
            adminChecked("Delete I/O Submission Queue " + qpair.qid(), NvmeOpcodes.ADMIN_DELETE_IO_SQ, 0, null, qpair.qid(), 0, 0, 0);
            adminChecked("Delete I/O Completion Queue " + qpair.qid(), NvmeOpcodes.ADMIN_DELETE_IO_CQ, 0, null, qpair.qid(), 0, 0, 0);
        } finally {
            ioQpairs[qpair.qid()] = null;
            qpair.abortOutstanding(NvmeStatus.ABORTED_SQ_DELETION);
        }
    }

    /**
     * Sends one admin command and waits for its completion (bounded by CAP.TO). {@code data},
     * when not {@code null}, is a DMA-mapped buffer described by PRP1/PRP2.
     *
     * @return the status field; {@link #lastAdminDw0()} holds DW0
     */
    public int adminCommand(int opcode, int nsid, MemorySegment data, int cdw10, int cdw11, int cdw12, int cdw13) {
        adminDone = false;
        adminAwaited = new Object();
        if (!admin.submitRaw(opcode, nsid, data, cdw10, cdw11, cdw12, cdw13, adminCallback, adminAwaited)) {
            throw new IllegalStateException("the admin queue is full");
        }
        return awaitAdmin(opcode);
    }

    /** Create I/O SQ/CQ: PRP1 is the base of a physically contiguous queue, PRP2 is unused. */
    private int createQueue(String what, int opcode, MemorySegment queue, int cdw10, int cdw11) {
        adminDone = false;
        adminAwaited = new Object();
        if (!admin.submitPrp(opcode, 0, queue.address(), 0, cdw10, cdw11, 0, 0, adminCallback, adminAwaited)) {
            throw new IllegalStateException("the admin queue is full");
        }
        int status = awaitAdmin(opcode);
        if (!NvmeStatus.isSuccess(status)) {
            throw new NvmeException(what, status);
        }
        return status;
    }

    private int awaitAdmin(int opcode) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!adminDone) {
            if (admin.processCompletions(0) == 0) {
                checkFatal("admin command " + opcode);
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(String.format("admin command opcode 0x%02x got no completion within CAP.TO (%d ms)",
                            opcode, timeoutNanos / 1_000_000));
                }
                Thread.onSpinWait();
            }
        }
        return adminStatus;
    }

    private int adminChecked(String what, int opcode, int nsid, MemorySegment data, int cdw10, int cdw11, int cdw12, int cdw13) {
        int status = adminCommand(opcode, nsid, data, cdw10, cdw11, cdw12, cdw13);
        if (!NvmeStatus.isSuccess(status)) {
            throw new NvmeException(what, status);
        }
        return adminDw0;
    }

    /** DW0 of the last admin completion. */
    public int lastAdminDw0() {
        return adminDw0;
    }

    /** The admin qpair, for Asynchronous Event Requests and other commands a caller polls for itself. */
    public NvmeQpair adminQpair() {
        return admin;
    }

    /** A DMA-mapped buffer of {@code bytes}, 4 KiB aligned, owned (and unmapped) by this controller handle. */
    public MemorySegment allocateDmaBuffer(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes " + bytes + " must be at least 1");
        }
        return allocateMapped(bytes);
    }

    /**
     * Takes the controller memory buffer that BAR2 exposes (CMBLOC.BIR = 2) for
     * {@link #allocateCmbBuffer} and SQs in the CMB. The controller maps its CMB for DMA itself.
     *
     * @throws IllegalStateException when CMBSZ says the controller has no CMB
     * @throws IllegalArgumentException when {@code bar2} is smaller than CMBSZ says
     */
    public void useControllerMemoryBuffer(MemorySegment bar2) {
        int size = Mmio.readl(bar, NvmeRegs.CMBSZ); // readl(): CMBSZ before the CMB it describes
        long bytes = NvmeRegs.cmbszBytes(size);
        if (bytes == 0) {
            throw new IllegalStateException("CMBSZ is 0: the controller has no controller memory buffer");
        }
        if (bar2.byteSize() < bytes) {
            throw new IllegalArgumentException("bar2.byteSize() " + bar2.byteSize() + " is smaller than CMBSZ, " + bytes + " bytes");
        }
        cmb = bar2.asSlice(0, bytes);
        cmbsz = size;
        cmbUsed = 0;
    }

    /**
     * A 4 KiB-aligned buffer of {@code bytes} in the controller memory buffer (a bump allocator;
     * freed with the controller handle).
     *
     * @throws IllegalStateException when there is no CMB or it has fewer bytes left
     */
    public MemorySegment allocateCmbBuffer(long bytes) {
        if (cmb == null) {
            throw new IllegalStateException("no controller memory buffer: call useControllerMemoryBuffer first");
        }
        long aligned = (bytes + PAGE - 1) & -PAGE;
        if (bytes < 1 || aligned > cmb.byteSize() - cmbUsed) {
            throw new IllegalStateException("bytes " + bytes + " do not fit in the controller memory buffer: "
                    + (cmb.byteSize() - cmbUsed) + " of " + cmb.byteSize() + " bytes left");
        }
        MemorySegment buffer = cmb.asSlice(cmbUsed, bytes);
        cmbUsed += aligned;
        buffer.fill((byte) 0);
        return buffer;
    }

    private MemorySegment allocateMapped(long bytes) {
        MemorySegment segment = arena.allocate(bytes, PAGE);
        dma.map(segment);
        mapped.add(segment);
        return segment;
    }

    /** Serial number from Identify Controller. */
    public String serialNumber() { return serialNumber; }
    /** Model number from Identify Controller. */
    public String modelNumber() { return modelNumber; }
    /** Largest transfer of one command in bytes (MDTS; capped at 1 MiB when MDTS is unlimited). */
    public long maxTransferBytes() { return maxTransferBytes; }
    /** NN from Identify Controller. */
    public int namespaceCount() { return namespaceCount; }
    /** I/O qpairs the controller granted (Set Features, Number of Queues). */
    public int maxIoQpairs() { return maxIoQpairs; }

    /** NSZE of namespace {@code nsid}. */
    public long namespaceSize(int nsid) {
        return nsze[checkNsid(nsid)];
    }

    /** Logical block size of namespace {@code nsid} in bytes. */
    public int lbaSize(int nsid) {
        return 1 << lbaShift[checkNsid(nsid)];
    }

    private int checkNsid(int nsid) {
        if (nsid < 1 || nsid > namespaceCount) {
            throw new IllegalArgumentException("nsid " + nsid + " is out of range [1, " + namespaceCount + "]");
        }
        return nsid - 1;
    }

    MemorySegment registers() { return bar; }
    DmaMap dma() { return dma; }
    Runnable inlineEngine() { return inlineEngine; }
    int dstrd() { return NvmeRegs.capDstrd(cap); }

    /** Normal shutdown: CC.SHN = 01b, then wait for CSTS.SHST = complete (bounded by CAP.TO). */
    public void shutdown() {
        int cc = Mmio.readl(bar, NvmeRegs.CC); // readl(): current CC before we change it
        Mmio.writel(bar, NvmeRegs.CC, (cc & ~(3 << NvmeRegs.CC_SHN_SHIFT)) | 1 << NvmeRegs.CC_SHN_SHIFT); // writel(): earlier stores before the shutdown request
        waitForCsts(3 << NvmeRegs.CSTS_SHST_SHIFT, NvmeRegs.SHST_COMPLETE << NvmeRegs.CSTS_SHST_SHIFT, "CSTS.SHST = complete after CC.SHN");
    }

    private void disable() {
        int cc = Mmio.readl(bar, NvmeRegs.CC); // readl(): current CC before we change it
        Mmio.writel(bar, NvmeRegs.CC, cc & ~NvmeRegs.CC_EN); // writel(): earlier stores before the reset request
        waitForCsts(NvmeRegs.CSTS_RDY, 0, "CSTS.RDY = 0 after CC.EN = 0");
    }

    private void waitForCsts(int mask, int value, String what) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (;;) {
            if (inlineEngine != null) {
                inlineEngine.run();
            }
            int csts = Mmio.readl(bar, NvmeRegs.CSTS); // readl(): CSTS before the queue state it reports
            if ((csts & mask) == value) {
                return;
            }
            if ((csts & NvmeRegs.CSTS_CFS) != 0 && value != 0) {
                throw new IllegalStateException("controller fatal status (CSTS.CFS) while waiting for " + what);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + " did not happen within CAP.TO (" + timeoutNanos / 1_000_000 + " ms)");
            }
            Thread.onSpinWait();
        }
    }

    private void checkFatal(String what) {
        if ((Mmio.readl(bar, NvmeRegs.CSTS) & NvmeRegs.CSTS_CFS) != 0) { // readl(): CSTS as the controller last wrote it
            throw new IllegalStateException("controller fatal status (CSTS.CFS) during " + what);
        }
    }

    /**
     * Shuts the controller down, disables it, completes the commands still outstanding on I/O
     * qpairs with {@link NvmeStatus#ABORTED_SQ_DELETION}, unmaps and frees every buffer this
     * handle allocated.
     */
    @Override
    public void close() {
        try {
            if ((Mmio.readl(bar, NvmeRegs.CSTS) & NvmeRegs.CSTS_RDY) != 0) { // readl(): as above
                shutdown();
            }
            disable();
        } finally {
            for (NvmeQpair qpair : ioQpairs) {
                if (qpair != null) {
                    qpair.abortOutstanding(NvmeStatus.ABORTED_SQ_DELETION);
                }
            }
            releaseMemory();
        }
    }

    /**
     * Unmaps every buffer and frees them; when the controller still uses some (it did not reset),
     * those stay mapped and the memory is not freed, and the first refusal is thrown.
     */
    private void releaseMemory() {
        IllegalStateException refused = null;
        List<MemorySegment> kept = new ArrayList<>();
        for (MemorySegment segment : mapped) {
            try {
                dma.unmap(segment);
            } catch (IllegalStateException e) {
                kept.add(segment);
                if (refused == null) {
                    refused = e;
                }
            }
        }
        mapped.clear();
        if (refused != null) {
            mapped.addAll(kept);
            throw refused;
        }
        arena.close();
    }
}
