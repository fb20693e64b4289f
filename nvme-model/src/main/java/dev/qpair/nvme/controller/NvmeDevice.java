package dev.qpair.nvme.controller;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import dev.qpair.nvme.DmaMap;
import dev.qpair.nvme.NvmeOpcodes;
import dev.qpair.nvme.NvmeRegs;
import dev.qpair.nvme.NvmeStatus;
import dev.qpair.rings.nvme.DoorbellSummary;
import dev.qpair.rings.nvme.NvmeCqe;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.rings.nvme.NvmeSqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The NVMe controller model: a register page (CAP, VS, CC, CSTS, AQA, ASQ, ACQ and the doorbell
 * array), the admin command set, the NVM I/O commands over {@link Namespace}s, and an engine that
 * serves the created submission queues.
 *
 * <p>The host is untrusted. Every queue base, PRP, PRP list and SGL address goes through the
 * {@link DmaMap}; a malformed command completes with the status the NVMe base specification names;
 * an invalid doorbell write is ignored and reported as an asynchronous event (error type, "invalid
 * doorbell register" or "invalid doorbell write value") to an outstanding Asynchronous Event
 * Request. Nothing the host writes makes the engine throw.
 *
 * <p>The engine runs in one place at a time: {@link #process()} is called by the busy-polling
 * thread ({@link #start()}) or, in inline mode, by the host thread that rang a doorbell; a call
 * that finds the engine busy leaves it armed for one more pass (rxe's IDLE/BUSY/ARMED). Each pass
 * visits only the submission queues whose {@link DoorbellSummary} bit is set: a queue stays set
 * while it has work and is parked after {@value #PARK_AFTER_IDLE_VISITS} empty visits, and the
 * host driver sets the bit of a parked queue when it rings it. So a pass costs in proportion to the
 * active queues, not to the created ones; a sweep of every doorbell each {@value #SWEEP_PASSES}
 * passes (and at each inline call that found no work) finds doorbells written without the
 * summary and validates every CQ head doorbell. Commands complete in order, synchronously, one CQE
 * each. The datapath allocates nothing.
 */
public final class NvmeDevice implements AutoCloseable {

    /** CAP.MQES + 1: the largest queue. */
    public static final int MAX_QUEUE_ENTRIES = 1024;
    /** Identify MDTS: transfers up to {@code 2^MDTS} pages (128 KiB). */
    public static final int MDTS = 5;
    /** MDTS in bytes. */
    public static final long MAX_TRANSFER_BYTES = (long) NvmeRegs.PAGE_SIZE << MDTS;
    /** Identify AERL + 1: outstanding Asynchronous Event Requests. */
    public static final int MAX_ASYNC_EVENT_REQUESTS = 4;
    /** Commands taken from one SQ per engine pass, for fairness between queues. */
    static final int BURST = 32;
    /** Visits without a command after which a queue is parked: its summary bit cleared. */
    public static final int PARK_AFTER_IDLE_VISITS = 1024;
    /** Passes between sweeps of every doorbell. */
    public static final int SWEEP_PASSES = 256;
    /**
     * Bytes a Write Zeroes or Dataset Management deallocate zeroes per engine pass: a larger one
     * completes over several passes, its SQ fetching nothing behind it meanwhile (in-order
     * completion), while the other queues are served between its steps.
     */
    public static final long ZERO_BYTES_PER_PASS = 64 * 1024;

    private static final int PAGE = NvmeRegs.PAGE_SIZE;
    private static final long PAGE_MASK = PAGE - 1;
    private static final int DEFERRED = -1;
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int ARMED = 2;
    private static final int VENDOR_ID = 0x1D1D;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(NvmeDevice.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment bar;
    private final DmaMap dma;
    private final Namespace[] namespaces;
    private final int maxIoQueues;
    private final String serial;
    private final DataPointer data;
    private final ErrorLog errorLog = new ErrorLog(arena);
    private final MemorySegment scratch = arena.allocate(PAGE, PAGE);
    private final MemorySegment zeroes = arena.allocate(PAGE, PAGE);
    private final SubmissionQueue[] sqs;
    private final CompletionQueue[] cqs;
    private long queueVisits;
    private int zeroJobs;
    private SubmissionQueue current;
    private int currentCid;

    private int lastCc;
    private boolean enabled;
    private boolean shutdown;
    private boolean fatal;
    private int allocatedSqs;
    private int allocatedCqs;
    private boolean ioQueuesCreated;
    private int dw0;
    private long readCommands;
    private long writeCommands;
    private long bytesRead;
    private long bytesWritten;
    private long errorLba;

    private final int[] aerCids = new int[MAX_ASYNC_EVENT_REQUESTS];
    private int aerCount;
    private final int[] events = new int[8];
    private int eventCount;
    private boolean errorEventsMasked;
    private int ticks;

    @SuppressWarnings("unused")
    private int state;
    private volatile boolean running;
    private volatile long invalidDoorbellWrites; // WRITE_ONCE by the engine runner, READ_ONCE by diagnostics and tests
    private volatile long sqParks; // WRITE_ONCE by the engine runner, READ_ONCE by diagnostics and nvme-perf
    private volatile String fatalError;
    private volatile String enableError;
    private Thread thread;

    private final MemorySegment cmb;
    private MemorySegment shadowDoorbells;
    private MemorySegment eventIdx;
    /** Whether {@link #runPoller} holds the engine: every active queue is visited each pass without a doorbell. */
    private boolean dedicatedPoller;

    private NvmeDevice(DmaMap dma, int maxIoQueues, String serial, long cmbBytes, Namespace[] namespaces) {
        this.dma = dma;
        this.maxIoQueues = maxIoQueues;
        this.serial = serial;
        this.namespaces = namespaces.clone();
        this.data = new DataPointer(dma);
        long barSize = NvmeQueues.cqHeadDoorbell(maxIoQueues, 0) + 4;
        this.bar = arena.allocate((barSize + PAGE_MASK) & ~PAGE_MASK, PAGE);
        this.sqs = new SubmissionQueue[maxIoQueues + 1];
        this.cqs = new CompletionQueue[maxIoQueues + 1];
        resetState();
        Mmio.writeq(bar, NvmeRegs.CAP, NvmeRegs.cap(MAX_QUEUE_ENTRIES - 1, 2, 0)); // writeq(): register contents before the page is handed out
        Mmio.writel(bar, NvmeRegs.VS, NvmeRegs.VERSION_1_4); // writel(): as above
        if (cmbBytes > 0) {
            cmb = arena.allocate(cmbBytes, PAGE);
            dma.map(cmb);
            Mmio.writel(bar, NvmeRegs.CMBLOC, 2); // writel(): BIR 2, offset 0
            Mmio.writel(bar, NvmeRegs.CMBSZ, (int) (cmbBytes / PAGE) << 12 | NvmeRegs.CMBSZ_SQS | NvmeRegs.CMBSZ_LISTS
                    | NvmeRegs.CMBSZ_RDS | NvmeRegs.CMBSZ_WDS); // writel(): as above
        } else {
            cmb = null;
        }
    }

    /**
     * A controller with up to {@code maxIoQueues} I/O SQ/CQ pairs over {@code namespaces} (NSID 1 is
     * the first). The namespaces stay owned by the caller.
     *
     * @throws IllegalArgumentException naming the argument, its value and the limit
     */
    public static NvmeDevice create(DmaMap dma, int maxIoQueues, String serial, Namespace... namespaces) {
        return create(dma, maxIoQueues, serial, 0, namespaces);
    }

    /**
     * A controller as {@link #create(DmaMap, int, String, Namespace...)} with a controller memory
     * buffer of {@code cmbBytes} (a multiple of 4 KiB, 0 for none) in device memory. The CMB is
     * DMA-mapped by the controller itself (the peer-to-peer path): submission queues, PRP/SGL lists
     * and data buffers may live in it, and {@link #isControllerMemory} tells a caller that an
     * address is local to this controller.
     */
    public static NvmeDevice create(DmaMap dma, int maxIoQueues, String serial, long cmbBytes, Namespace... namespaces) {
        if (cmbBytes < 0 || cmbBytes % PAGE != 0 || cmbBytes > (1L << 30)) {
            throw new IllegalArgumentException("cmbBytes " + cmbBytes + " must be a multiple of 4096 in [0, 1 GiB]");
        }
        if (dma == null) {
            throw new IllegalArgumentException("dma is null: the controller translates every host address through a DmaMap");
        }
        if (maxIoQueues < 1 || maxIoQueues > 1024) {
            throw new IllegalArgumentException("maxIoQueues " + maxIoQueues + " is out of range [1, 1024]");
        }
        if (namespaces.length < 1 || namespaces.length > 1024) {
            throw new IllegalArgumentException("namespaces.length " + namespaces.length + " is out of range [1, 1024]");
        }
        if (serial == null || serial.isEmpty() || serial.length() > 20) {
            throw new IllegalArgumentException("serial '" + serial + "' must have 1 to 20 ASCII characters");
        }
        return new NvmeDevice(dma, maxIoQueues, serial, cmbBytes, namespaces);
    }

    /** The register page (BAR0): CAP at 0, doorbells from 0x1000 with CAP.DSTRD = 0. */
    public MemorySegment registers() {
        return bar;
    }

    /**
     * The controller memory buffer as the host sees it through BAR2 (CMBLOC.BIR = 2, offset 0).
     *
     * @throws IllegalStateException when the controller has no CMB (CMBSZ = 0)
     */
    public MemorySegment controllerMemoryBuffer() {
        if (cmb == null) {
            throw new IllegalStateException("this controller has no controller memory buffer (CMBSZ = 0)");
        }
        return cmb;
    }

    /** Whether {@code [address, address + length)} lies in this controller's memory buffer. */
    public boolean isControllerMemory(long address, long length) {
        return cmb != null && length > 0 && address >= cmb.address() && length <= cmb.address() + cmb.byteSize() - address;
    }

    /** Writes to doorbells the model ignored: nonexistent queues, or values past the queue. */
    public long invalidDoorbellWrites() {
        return invalidDoorbellWrites;
    }

    /** Why CSTS.CFS was set, or {@code null}. */
    public String fatalError() {
        return fatalError;
    }

    /** Why the last CC.EN = 1 did not make the controller ready, or {@code null}. */
    public String enableError() {
        return enableError;
    }

    /** Starts the busy-polling controller thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the controller thread is already running");
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("nvme-controller-" + serial).start(() -> runPoller(() -> running));
    }

    /**
     * Makes the calling thread the controller's dedicated poller until {@code keepRunning} answers
     * {@code false}: it takes the engine once (waiting while another thread runs it) and then runs
     * passes without the per-pass IDLE/BUSY exchange; a {@link #process()} call meanwhile finds the
     * engine busy and returns at once, its doorbell served by the poller's next pass. The poller
     * spins while idle and yields after 256 idle passes. Never throws for host input.
     *
     * <p>With shadow doorbells the poller, which reads every active queue's shadow tail each pass,
     * leaves EventIdx alone while a queue stays active, so the host writes no MMIO SQ doorbell
     * (nor a CQ head doorbell when its CQ is full); it asks for one (EventIdx = tail) when it parks
     * the queue, and for every queue when it returns. Without a dedicated poller the engine asks
     * for one whenever a queue is empty.
     */
    public void runPoller(BooleanSupplier keepRunning) {
        while (!STATE.compareAndSet(this, IDLE, BUSY)) { // test_and_set: take the engine for as long as the poller runs
            Thread.onSpinWait();
        }
        dedicatedPoller = true;
        try {
            int idle = 0;
            while (keepRunning.getAsBoolean()) {
                if (guardedStep(false) != 0 || zeroJobs != 0) {
                    idle = 0;
                } else if (++idle < 256) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        } finally {
            dedicatedPoller = false;
            requestAllSqDoorbells();
            STATE.setVolatile(this, IDLE); // smp_store_mb(): the poller's stores before the next runner takes the engine
        }
    }

    /**
     * Runs one engine pass over the active queues (with a sweep of every doorbell when the pass
     * found no work), or, when another thread is running the engine, arms it for one more pass and
     * returns. Never throws for host input.
     *
     * @return commands completed by this call
     */
    public int process() {
        for (;;) {
            int s = (int) STATE.getVolatile(this); // READ_ONCE() + smp_mb(): the engine state, before the CAS that acts on it
            if (s == IDLE) {
                if (STATE.compareAndSet(this, IDLE, BUSY)) { // test_and_set: take the engine, full fence
                    break;
                }
            } else if (s == BUSY) {
                if (STATE.compareAndSet(this, BUSY, ARMED)) { // the runner makes one more pass
                    return 0;
                }
            } else {
                return 0;
            }
        }
        int work = 0;
        for (;;) {
            work += guardedStep(true);
            if (STATE.compareAndSet(this, BUSY, IDLE)) { // release the engine: this pass's stores before the next runner
                return work;
            }
            STATE.setVolatile(this, BUSY); // smp_store_mb(): take back ARMED as BUSY before the extra pass reads the doorbells
        }
    }

    private int guardedStep(boolean sweepWhenIdle) {
        try {
            return step(sweepWhenIdle);
        } catch (Throwable t) {
            fatal = true;
            fatalError = t.toString();
            Mmio.writel(bar, NvmeRegs.CSTS, Mmio.readlRelaxed(bar, NvmeRegs.CSTS) | NvmeRegs.CSTS_CFS); // writel(): CFS after the state it reports
            return 0;
        }
    }

    private int step(boolean sweepWhenIdle) {
        int cc = Mmio.readl(bar, NvmeRegs.CC); // readl(): the host's CC write, and its AQA/ASQ/ACQ stores, before we act on them
        if (cc != lastCc) {
            onCcChange(cc);
            lastCc = cc;
        }
        if (!enabled || shutdown || fatal) {
            return 0;
        }
        int work = 0;
        long top = DoorbellSummary.top(bar);
        while (top != 0) {
            int w = Long.numberOfTrailingZeros(top);
            top &= top - 1;
            long word = DoorbellSummary.word(bar, w);
            if (word == 0) {
                DoorbellSummary.tidy(bar, w);
            }
            while (word != 0) {
                int qid = w << 6 | Long.numberOfTrailingZeros(word);
                word &= word - 1;
                work += visit(qid);
            }
        }
        if ((++ticks & (SWEEP_PASSES - 1)) == 0 || (work == 0 && zeroJobs == 0 && sweepWhenIdle)) {
            work += sweep();
        }
        deliverAsyncEvents();
        return work;
    }

    private int visit(int qid) {
        SubmissionQueue sq = qid <= maxIoQueues ? sqs[qid] : null;
        if (sq == null) {
            DoorbellSummary.clear(bar, qid);
            return 0;
        }
        queueVisits++;
        int n = serviceSq(sq);
        if (n != 0 || sq.zeroNs != null || sq.head != sq.tail) {
            sq.idleVisits = 0;
        } else if (++sq.idleVisits >= PARK_AFTER_IDLE_VISITS && sqs[qid] == sq) {
            sq.idleVisits = 0;
            sqParks++;
            DoorbellSummary.clear(bar, qid);
            boolean rung = shadowed(sq) ? requestSqDoorbell(sq) : hasNewTail(sq); // after clear's full fence: a doorbell rung before the host could see the bit clear
            if (rung) {
                DoorbellSummary.set(bar, qid);
            }
        }
        return n;
    }

    private boolean shadowed(SubmissionQueue sq) {
        return shadowDoorbells != null && sq.qid != 0;
    }

    /**
     * Asks the host for an MMIO doorbell at its next submission (EventIdx = the tail taken), then
     * reads the shadow tail again: whether the host stored a new tail before it could see the request.
     */
    private boolean requestSqDoorbell(SubmissionQueue sq) {
        long at = sq.tailDoorbell - NvmeQueues.DOORBELL_BASE;
        Barriers.smpStoreReleaseInt(eventIdx, at, sq.tail); // smp_store_release(): EventIdx after the summary clear and the SQE loads before it
        Barriers.mb(); // mb(): the EventIdx store before the shadow tail re-read, pairs with the host's mb() in nvme_dbbuf_update_and_check_event
        return hasNewTail(sq);
    }

    /** The dedicated poller stops: every shadowed queue asks for a doorbell again, as without one. */
    private void requestAllSqDoorbells() {
        if (shadowDoorbells == null) {
            return;
        }
        for (int qid = 1; qid <= maxIoQueues; qid++) {
            if (sqs[qid] != null) {
                requestSqDoorbell(sqs[qid]);
            }
        }
    }

    /**
     * Submission queue parks so far: summary bits cleared after {@value #PARK_AFTER_IDLE_VISITS}
     * empty visits (with shadow doorbells, each asks the host for an MMIO doorbell).
     */
    public long sqParks() {
        return sqParks;
    }

    /** Submission queue visits (doorbell reads of created queues, sweeps included) so far. */
    public long queueVisits() {
        return queueVisits;
    }

    private void onCcChange(int cc) {
        if ((cc & NvmeRegs.CC_EN) == 0) {
            if (enabled || (lastCc & NvmeRegs.CC_EN) != 0 || fatal) {
                reset();
            }
        } else if (!enabled && (lastCc & NvmeRegs.CC_EN) == 0) {
            enable(cc);
        }
        if (NvmeRegs.ccShn(cc) != 0 && !shutdown) {
            shutdown = true;
            for (Namespace ns : namespaces) {
                ns.flush();
            }
            int csts = Mmio.readlRelaxed(bar, NvmeRegs.CSTS) & ~(3 << NvmeRegs.CSTS_SHST_SHIFT);
            Mmio.writel(bar, NvmeRegs.CSTS, csts | NvmeRegs.SHST_COMPLETE << NvmeRegs.CSTS_SHST_SHIFT); // writel(): flushed namespaces before SHST reports it
        }
    }

    private void enable(int cc) {
        String problem = null;
        int aqa = Mmio.readlRelaxed(bar, NvmeRegs.AQA);
        int asqs = (aqa & 0xFFF) + 1;
        int acqs = ((aqa >>> 16) & 0xFFF) + 1;
        long asq = Mmio.readqRelaxed(bar, NvmeRegs.ASQ);
        long acq = Mmio.readqRelaxed(bar, NvmeRegs.ACQ);
        MemorySegment sqMem = null;
        MemorySegment cqMem = null;
        if (NvmeRegs.ccCss(cc) != 0) {
            problem = "CC.CSS " + NvmeRegs.ccCss(cc) + " is not the NVM command set (0)";
        } else if (NvmeRegs.ccMps(cc) != 0) {
            problem = "CC.MPS " + NvmeRegs.ccMps(cc) + " is outside CAP.MPSMIN..MPSMAX (0..0, 4 KiB pages)";
        } else if (asqs < 2 || acqs < 2) {
            problem = "AQA " + Integer.toHexString(aqa) + " gives an admin queue of fewer than 2 entries";
        } else if ((asq & PAGE_MASK) != 0 || (acq & PAGE_MASK) != 0) {
            problem = String.format("ASQ 0x%x or ACQ 0x%x is not 4 KiB aligned", asq, acq);
        } else if ((sqMem = dma.segmentFor(asq, (long) asqs * NvmeSqe.SIZE)) == null
                || (cqMem = dma.segmentFor(acq, (long) acqs * NvmeCqe.SIZE)) == null) {
            problem = String.format("ASQ 0x%x (%d entries) or ACQ 0x%x (%d entries) is not DMA-mapped", asq, asqs, acq, acqs);
        }
        if (problem != null) {
            enableError = problem;
            fatal = true;
            Mmio.writel(bar, NvmeRegs.CSTS, NvmeRegs.CSTS_CFS); // writel(): CFS reports the refused enable
            return;
        }
        CompletionQueue cq = new CompletionQueue(0, acqs, cqMem.asSlice(acq - cqMem.address(), (long) acqs * NvmeCqe.SIZE),
                NvmeQueues.cqHeadDoorbell(0, 0));
        cqs[0] = cq;
        dma.pin(this, acq, (long) acqs * NvmeCqe.SIZE, "the admin completion queue");
        dma.pin(this, asq, (long) asqs * NvmeSqe.SIZE, "the admin submission queue");
        addSq(new SubmissionQueue(0, asqs, sqMem.asSlice(asq - sqMem.address(), (long) asqs * NvmeSqe.SIZE), cq,
                NvmeQueues.sqTailDoorbell(0, 0)));
        enabled = true;
        enableError = null;
        Mmio.writel(bar, NvmeRegs.CSTS, NvmeRegs.CSTS_RDY); // writel(): admin queue state before RDY lets the host ring
    }

    private void reset() {
        resetState();
        for (int qid = 0; qid <= maxIoQueues; qid++) {
            Mmio.writelRelaxed(bar, NvmeQueues.sqTailDoorbell(qid, 0), 0); // writel_relaxed(): doorbells cleared before CSTS below
            Mmio.writelRelaxed(bar, NvmeQueues.cqHeadDoorbell(qid, 0), 0); // writel_relaxed(): as above
        }
        Mmio.writel(bar, NvmeRegs.CSTS, 0); // writel(): the reset state before RDY = 0 reports it
    }

    private void resetState() {
        Arrays.fill(sqs, null);
        Arrays.fill(cqs, null);
        DoorbellSummary.reset(bar);
        dma.unpinAll(this);
        zeroJobs = 0;
        enabled = false;
        shutdown = false;
        fatal = false;
        allocatedSqs = maxIoQueues;
        allocatedCqs = maxIoQueues;
        ioQueuesCreated = false;
        aerCount = 0;
        eventCount = 0;
        errorEventsMasked = false;
        shadowDoorbells = null;
        eventIdx = null;
    }

    private void addSq(SubmissionQueue sq) {
        sqs[sq.qid] = sq;
        sq.cq.submissionQueues++;
        Mmio.writelRelaxed(bar, sq.tailDoorbell, 0); // writel_relaxed(): a new queue starts with tail 0, ordered by the CQE release
        DoorbellSummary.set(bar, sq.qid);
    }

    /** Whether the tail doorbell holds a value the queue has neither taken nor already rejected. */
    private boolean hasNewTail(SubmissionQueue sq) {
        int tail = readTail(sq);
        return tail != sq.tail && tail != sq.rejectedTail;
    }

    private int readTail(SubmissionQueue sq) {
        return shadowDoorbells != null && sq.qid != 0
                ? Barriers.smpLoadAcquireInt(shadowDoorbells, sq.tailDoorbell - NvmeQueues.DOORBELL_BASE) // smp_load_acquire(): pairs with the host's shadow tail store; SQE loads come after it
                : Mmio.readl(bar, sq.tailDoorbell); // readl(): pairs with the host's writel of SQyTDBL; SQE loads come after it
    }

    private int serviceSq(SubmissionQueue sq) {
        int tail = readTail(sq);
        refreshCqHead(sq.cq);
        if (tail != sq.tail) {
            if (tail < 0 || tail >= sq.size) {
                if (tail != sq.rejectedTail) {
                    sq.rejectedTail = tail;
                    invalidDoorbell(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_VALUE);
                }
            } else {
                sq.tail = tail;
            }
        }
        int n = 0;
        CompletionQueue cq = sq.cq;
        if (sq.zeroNs != null) {
            if (!continueZero(sq)) {
                return 0;
            }
            n++;
        }
        current = sq;
        if (sq.zeroNs == null && sq.head != sq.tail) {
            n = fetch(sq, cq, n);
            if (sqs[sq.qid] != sq) {
                return n;
            }
        }
        if (!dedicatedPoller && sq.head == sq.tail && shadowed(sq)) {
            requestSqDoorbell(sq);
        }
        return n;
    }

    /*
     * fetch() is apart from serviceSq() because HotSpot compiles a method by its profile: a
     * dedicated poller visits a queue far more often than it finds a command there, so inside
     * serviceSq() the command path looked cold and io() and post() stayed calls ("too big" for a
     * cold site in -XX:+PrintInlining). fetch() runs only when there are commands, and is compiled
     * from a profile in which its loop is the hot path.
     */

    /**
     * Executes commands from {@code sq}'s head towards its tail: at most {@link #BURST} a visit
     * (counting the {@code n} already done), none while {@code cq} is full, and none after a Write
     * Zeroes or deallocate that needs more passes, or a command that deleted the queue.
     *
     * @return {@code n} plus the commands taken
     */
    private int fetch(SubmissionQueue sq, CompletionQueue cq, int n) {
        while (sq.zeroNs == null && sq.head != sq.tail && n < BURST && !cqFull(cq)) {
            long e = NvmeSqe.offset(sq.head);
            sq.head = NvmeQueues.next(sq.head, sq.size);
            int cid = NvmeSqe.cid(sq.entries, e);
            currentCid = cid;
            dw0 = 0;
            errorLba = -1;
            int status;
            try {
                status = sq.qid == 0 ? admin(sq.entries, e, cid) : io(sq.entries, e);
            } catch (RuntimeException ex) {
                status = NvmeStatus.INTERNAL_ERROR;
            }
            if (status != DEFERRED) {
                if (status != NvmeStatus.SUCCESS) {
                    errorLog.record(sq.qid, cid, status << 1 | cq.phase, NvmeSqe.nsid(sq.entries, e), errorLba);
                }
                post(cq, status, dw0, sq.head, sq.qid, cid);
            }
            n++;
            if (sqs[sq.qid] != sq) {
                break;
            }
        }
        return n;
    }

    private boolean cqFull(CompletionQueue cq) {
        if (!NvmeQueues.isFull(cq.head, cq.tail, cq.size)) {
            return false;
        }
        refreshCqHead(cq);
        return NvmeQueues.isFull(cq.head, cq.tail, cq.size);
    }

    /**
     * Reads CQyHDBL and takes the new head when it lies in the queue and does not pass the tail;
     * otherwise reports an invalid doorbell value (once per distinct value) and keeps the old head.
     */
    private void refreshCqHead(CompletionQueue cq) {
        boolean shadowed = shadowDoorbells != null && cq.qid != 0;
        long shadowOffset = cq.headDoorbell - NvmeQueues.DOORBELL_BASE;
        int head = shadowed
                ? Barriers.smpLoadAcquireInt(shadowDoorbells, shadowOffset) // smp_load_acquire(): pairs with the host's shadow head store; its CQE reads are done
                : Mmio.readl(bar, cq.headDoorbell); // readl(): pairs with the host's writel of CQyHDBL; its CQE reads are done
        if (head != cq.head) {
            if (head >= 0 && head < cq.size
                    && NvmeQueues.used(cq.head, head, cq.size) <= NvmeQueues.used(cq.head, cq.tail, cq.size)) {
                cq.head = head;
            } else if (head != cq.rejectedHead) {
                cq.rejectedHead = head;
                invalidDoorbell(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_VALUE);
            }
        }
        if (shadowed && !dedicatedPoller && NvmeQueues.isFull(cq.head, cq.tail, cq.size)) {
            Barriers.smpStoreReleaseInt(eventIdx, shadowOffset, cq.head); // smp_store_release(): ask for a CQ head doorbell once the host frees a slot
        }
    }

    private void post(CompletionQueue cq, int status, int result, int sqhd, int sqid, int cid) {
        long e = NvmeCqe.offset(cq.tail);
        Barriers.writeOnceLong(cq.entries, e + NvmeCqe.LOW_OFFSET, NvmeCqe.low(result, 0)); // WRITE_ONCE(): DW0-DW1, ordered before the phase word by the release below
        Barriers.smpStoreReleaseLong(cq.entries, e + NvmeCqe.HIGH_OFFSET, NvmeCqe.high(sqhd, sqid, cid, status, cq.phase)); // dma_wmb()+store: data and DW0-DW1 before the phase tag; pairs with the host's dma_rmb
        cq.tail = NvmeQueues.next(cq.tail, cq.size);
        if (cq.tail == 0) {
            cq.phase ^= 1;
        }
    }

    private void invalidDoorbell(int info) {
        invalidDoorbellWrites++;
        if (!errorEventsMasked && eventCount < events.length) {
            events[eventCount++] = NvmeOpcodes.AER_TYPE_ERROR | info << 8 | NvmeOpcodes.LID_ERROR_INFORMATION << 16;
            errorEventsMasked = true;
        }
    }

    private void deliverAsyncEvents() {
        SubmissionQueue asq = sqs[0];
        while (aerCount > 0 && eventCount > 0 && !cqFull(asq.cq)) {
            int event = events[0];
            System.arraycopy(events, 1, events, 0, --eventCount);
            post(asq.cq, NvmeStatus.SUCCESS, event, asq.head, 0, aerCids[--aerCount]);
        }
    }

    /**
     * Reads every doorbell: a write to a queue that does not exist is reported, a created queue
     * parked with a new tail is visited (and so set active again), and every CQ head doorbell is
     * validated.
     */
    private int sweep() {
        int work = 0;
        for (int qid = 0; qid <= maxIoQueues; qid++) {
            long sqDb = NvmeQueues.sqTailDoorbell(qid, 0);
            long cqDb = NvmeQueues.cqHeadDoorbell(qid, 0);
            SubmissionQueue sq = sqs[qid];
            if (sq == null) {
                if (Mmio.readlRelaxed(bar, sqDb) != 0) { // readl_relaxed(): a value only, nothing is read after it
                    Mmio.writelRelaxed(bar, sqDb, 0); // writel_relaxed(): forget the ignored write
                    invalidDoorbell(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_REGISTER);
                }
            } else if (!DoorbellSummary.isSet(bar, qid)) {
                queueVisits++;
                if (hasNewTail(sq)) {
                    DoorbellSummary.set(bar, qid);
                    work += visit(qid);
                }
            }
            CompletionQueue cq = cqs[qid];
            if (cq == null) {
                if (Mmio.readlRelaxed(bar, cqDb) != 0) { // readl_relaxed(): as above
                    Mmio.writelRelaxed(bar, cqDb, 0); // writel_relaxed(): as above
                    invalidDoorbell(NvmeOpcodes.AER_INFO_INVALID_DOORBELL_REGISTER);
                }
            } else {
                refreshCqHead(cq);
            }
        }
        return work;
    }

    // ---- admin command set ----

    private int admin(MemorySegment q, long e, int cid) {
        if (NvmeSqe.fuse(q, e) != 0 || NvmeSqe.psdt(q, e) != NvmeSqe.PSDT_PRP) {
            return NvmeStatus.INVALID_FIELD;
        }
        return switch (NvmeSqe.opcode(q, e)) {
            case NvmeOpcodes.ADMIN_DELETE_IO_SQ -> deleteSq(NvmeSqe.cdw10(q, e) & 0xFFFF);
            case NvmeOpcodes.ADMIN_CREATE_IO_SQ -> createSq(q, e);
            case NvmeOpcodes.ADMIN_GET_LOG_PAGE -> getLogPage(q, e);
            case NvmeOpcodes.ADMIN_DELETE_IO_CQ -> deleteCq(NvmeSqe.cdw10(q, e) & 0xFFFF);
            case NvmeOpcodes.ADMIN_CREATE_IO_CQ -> createCq(q, e);
            case NvmeOpcodes.ADMIN_IDENTIFY -> identify(q, e);
            case NvmeOpcodes.ADMIN_ABORT -> abort();
            case NvmeOpcodes.ADMIN_SET_FEATURES -> setFeatures(q, e);
            case NvmeOpcodes.ADMIN_GET_FEATURES -> getFeatures(q, e);
            case NvmeOpcodes.ADMIN_ASYNC_EVENT_REQUEST -> asyncEventRequest(cid);
            case NvmeOpcodes.ADMIN_DOORBELL_BUFFER_CONFIG -> doorbellBufferConfig(q, e);
            default -> NvmeStatus.INVALID_OPCODE;
        };
    }

    private int createCq(MemorySegment q, long e) {
        int cdw10 = NvmeSqe.cdw10(q, e);
        int cdw11 = NvmeSqe.cdw11(q, e);
        int qid = cdw10 & 0xFFFF;
        int size = (cdw10 >>> 16) + 1;
        long prp1 = NvmeSqe.prp1(q, e);
        if (qid == 0 || qid > allocatedCqs || cqs[qid] != null) {
            return NvmeStatus.INVALID_QUEUE_IDENTIFIER;
        }
        if (size < 2 || size > MAX_QUEUE_ENTRIES) {
            return NvmeStatus.INVALID_QUEUE_SIZE;
        }
        if ((cdw11 & 1) == 0 || NvmeRegs.ccIocqes(lastCc) != NvmeCqe.SIZE_SHIFT) {
            return NvmeStatus.INVALID_FIELD;
        }
        if ((cdw11 >>> 16) != 0) {
            return NvmeStatus.INVALID_INTERRUPT_VECTOR;
        }
        if ((prp1 & PAGE_MASK) != 0) {
            return NvmeStatus.PRP_OFFSET_INVALID;
        }
        long bytes = (long) size * NvmeCqe.SIZE;
        MemorySegment mem = dma.segmentFor(prp1, bytes);
        if (mem == null) {
            return NvmeStatus.DATA_TRANSFER_ERROR;
        }
        CompletionQueue cq = new CompletionQueue(qid, size, mem.asSlice(prp1 - mem.address(), bytes), NvmeQueues.cqHeadDoorbell(qid, 0));
        cqs[qid] = cq;
        dma.pin(this, prp1, bytes, "I/O completion queue " + qid);
        ioQueuesCreated = true;
        Mmio.writelRelaxed(bar, cq.headDoorbell, 0); // writel_relaxed(): a new queue starts with head 0, ordered by the CQE release
        return NvmeStatus.SUCCESS;
    }

    private int createSq(MemorySegment q, long e) {
        int cdw10 = NvmeSqe.cdw10(q, e);
        int cdw11 = NvmeSqe.cdw11(q, e);
        int qid = cdw10 & 0xFFFF;
        int size = (cdw10 >>> 16) + 1;
        int cqid = cdw11 >>> 16;
        long prp1 = NvmeSqe.prp1(q, e);
        if (qid == 0 || qid > allocatedSqs || sqs[qid] != null) {
            return NvmeStatus.INVALID_QUEUE_IDENTIFIER;
        }
        if (cqid == 0 || cqid > maxIoQueues || cqs[cqid] == null) {
            return NvmeStatus.COMPLETION_QUEUE_INVALID;
        }
        if (size < 2 || size > MAX_QUEUE_ENTRIES) {
            return NvmeStatus.INVALID_QUEUE_SIZE;
        }
        if ((cdw11 & 1) == 0 || NvmeRegs.ccIosqes(lastCc) != NvmeSqe.SIZE_SHIFT) {
            return NvmeStatus.INVALID_FIELD;
        }
        if ((prp1 & PAGE_MASK) != 0) {
            return NvmeStatus.PRP_OFFSET_INVALID;
        }
        long bytes = (long) size * NvmeSqe.SIZE;
        MemorySegment mem = dma.segmentFor(prp1, bytes);
        if (mem == null) {
            return NvmeStatus.DATA_TRANSFER_ERROR;
        }
        addSq(new SubmissionQueue(qid, size, mem.asSlice(prp1 - mem.address(), bytes), cqs[cqid], NvmeQueues.sqTailDoorbell(qid, 0)));
        dma.pin(this, prp1, bytes, "I/O submission queue " + qid);
        ioQueuesCreated = true;
        return NvmeStatus.SUCCESS;
    }

    private int deleteSq(int qid) {
        if (qid == 0 || qid > maxIoQueues || sqs[qid] == null) {
            return NvmeStatus.INVALID_QUEUE_IDENTIFIER;
        }
        SubmissionQueue sq = sqs[qid];
        sqs[qid] = null;
        if (sq.zeroNs != null) {
            sq.zeroNs = null;
            zeroJobs--;
            if (!cqFull(sq.cq)) {
                post(sq.cq, NvmeStatus.ABORTED_SQ_DELETION, 0, sq.head, qid, sq.zeroCid);
            }
        }
        sq.cq.submissionQueues--;
        DoorbellSummary.clear(bar, qid);
        dma.unpin(this, sq.entries.address());
        Mmio.writelRelaxed(bar, sq.tailDoorbell, 0); // writel_relaxed(): forget the deleted queue's tail
        return NvmeStatus.SUCCESS;
    }

    private int deleteCq(int qid) {
        if (qid == 0 || qid > maxIoQueues || cqs[qid] == null) {
            return NvmeStatus.INVALID_QUEUE_IDENTIFIER;
        }
        if (cqs[qid].submissionQueues != 0) {
            return NvmeStatus.INVALID_QUEUE_DELETION;
        }
        Mmio.writelRelaxed(bar, cqs[qid].headDoorbell, 0); // writel_relaxed(): forget the deleted queue's head
        dma.unpin(this, cqs[qid].entries.address());
        cqs[qid] = null;
        return NvmeStatus.SUCCESS;
    }

    private int abort() {
        dw0 = 1; // bit 0 set: command not aborted (commands complete before the next one is fetched)
        return NvmeStatus.SUCCESS;
    }

    /**
     * Doorbell Buffer Config: from now on the tails and heads of I/O queues are read from the
     * Shadow Doorbell buffer (PRP1), and the controller publishes in the EventIdx buffer (PRP2)
     * when it wants an MMIO doorbell; both are one page laid out like the doorbell array. The host
     * owns the shadow values (it sets them before this command and before creating a queue).
     */
    private int doorbellBufferConfig(MemorySegment q, long e) {
        long dbs = NvmeSqe.prp1(q, e);
        long eis = NvmeSqe.prp2(q, e);
        if ((dbs & PAGE_MASK) != 0 || (eis & PAGE_MASK) != 0) {
            return NvmeStatus.INVALID_FIELD;
        }
        MemorySegment dbsMem = dma.segmentFor(dbs, PAGE);
        MemorySegment eisMem = dma.segmentFor(eis, PAGE);
        if (dbsMem == null || eisMem == null) {
            return NvmeStatus.DATA_TRANSFER_ERROR;
        }
        MemorySegment shadow = dbsMem.asSlice(dbs - dbsMem.address(), PAGE);
        MemorySegment events = eisMem.asSlice(eis - eisMem.address(), PAGE);
        for (int qid = 1; qid <= maxIoQueues; qid++) {
            if (sqs[qid] != null) {
                long at = sqs[qid].tailDoorbell - NvmeQueues.DOORBELL_BASE;
                shadow.set(JAVA_INT, at, sqs[qid].tail);
                events.set(JAVA_INT, at, sqs[qid].tail);
            }
            if (cqs[qid] != null) {
                long at = cqs[qid].headDoorbell - NvmeQueues.DOORBELL_BASE;
                shadow.set(JAVA_INT, at, cqs[qid].head);
                events.set(JAVA_INT, at, cqs[qid].head);
            }
        }
        if (shadowDoorbells != null) {
            dma.unpin(this, shadowDoorbells.address());
            dma.unpin(this, eventIdx.address());
        }
        dma.pin(this, dbs, PAGE, "the shadow doorbell buffer");
        dma.pin(this, eis, PAGE, "the EventIdx buffer");
        eventIdx = events;
        shadowDoorbells = shadow;
        return NvmeStatus.SUCCESS;
    }

    private int asyncEventRequest(int cid) {
        if (aerCount == MAX_ASYNC_EVENT_REQUESTS) {
            return NvmeStatus.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED;
        }
        aerCids[aerCount++] = cid;
        return DEFERRED;
    }

    private int setFeatures(MemorySegment q, long e) {
        int fid = NvmeSqe.cdw10(q, e) & 0xFF;
        if (fid != NvmeOpcodes.FID_NUMBER_OF_QUEUES) {
            return NvmeStatus.INVALID_FIELD;
        }
        if (ioQueuesCreated) {
            return NvmeStatus.COMMAND_SEQUENCE_ERROR;
        }
        int cdw11 = NvmeSqe.cdw11(q, e);
        int nsqr = cdw11 & 0xFFFF;
        int ncqr = cdw11 >>> 16;
        if (nsqr == 0xFFFF || ncqr == 0xFFFF) {
            return NvmeStatus.INVALID_FIELD;
        }
        allocatedSqs = Math.min(nsqr + 1, maxIoQueues);
        allocatedCqs = Math.min(ncqr + 1, maxIoQueues);
        dw0 = (allocatedSqs - 1) | (allocatedCqs - 1) << 16;
        return NvmeStatus.SUCCESS;
    }

    private int getFeatures(MemorySegment q, long e) {
        int fid = NvmeSqe.cdw10(q, e) & 0xFF;
        if (fid == NvmeOpcodes.FID_VOLATILE_WRITE_CACHE) {
            dw0 = 1; // WCE: completed writes need a Flush (or FUA) to be durable
            return NvmeStatus.SUCCESS;
        }
        if (fid != NvmeOpcodes.FID_NUMBER_OF_QUEUES) {
            return NvmeStatus.INVALID_FIELD;
        }
        dw0 = (allocatedSqs - 1) | (allocatedCqs - 1) << 16;
        return NvmeStatus.SUCCESS;
    }

    private int getLogPage(MemorySegment q, long e) {
        int cdw10 = NvmeSqe.cdw10(q, e);
        int lid = cdw10 & 0xFF;
        boolean retainAsyncEvent = (cdw10 & (1 << 15)) != 0;
        long dwords = ((long) (NvmeSqe.cdw11(q, e) & 0xFFFF) << 16 | (cdw10 >>> 16)) + 1;
        long length = dwords * 4;
        long offset = Integer.toUnsignedLong(NvmeSqe.cdw12(q, e)) | (long) NvmeSqe.cdw13(q, e) << 32;
        int nsid = NvmeSqe.nsid(q, e);
        int size;
        if (lid == NvmeOpcodes.LID_ERROR_INFORMATION) {
            size = errorLog.copyTo(scratch);
        } else if (lid == NvmeOpcodes.LID_SMART_HEALTH) {
            if (nsid != 0 && nsid != 0xFFFFFFFF) {
                return NvmeStatus.INVALID_FIELD;
            }
            size = healthLog();
        } else {
            return NvmeStatus.INVALID_LOG_PAGE;
        }
        if ((offset & 3) != 0 || offset < 0 || offset >= size || length > PAGE) {
            return NvmeStatus.INVALID_FIELD;
        }
        int from = (int) offset;
        MemorySegment.copy(scratch, from, scratch, 0, size - from);
        MemorySegment.copy(zeroes, 0, scratch, size - from, PAGE - (size - from));
        if (!retainAsyncEvent && lid == NvmeOpcodes.LID_ERROR_INFORMATION) {
            errorEventsMasked = false;
        }
        return data.toHost(q, e, scratch, 0, length);
    }

    /** SMART / Health Information (LID 02h), controller-wide; returns its size. */
    private int healthLog() {
        MemorySegment.copy(zeroes, 0, scratch, 0, 512);
        scratch.set(JAVA_SHORT_UNALIGNED, 1, (short) 303);
        scratch.set(JAVA_BYTE, 3, (byte) 100);
        scratch.set(JAVA_BYTE, 4, (byte) 10);
        scratch.set(JAVA_LONG, 32, (bytesRead / 512 + 999) / 1000);
        scratch.set(JAVA_LONG, 48, (bytesWritten / 512 + 999) / 1000);
        scratch.set(JAVA_LONG, 64, readCommands);
        scratch.set(JAVA_LONG, 80, writeCommands);
        return 512;
    }

    private int identify(MemorySegment q, long e) {
        int cns = NvmeSqe.cdw10(q, e) & 0xFF;
        int nsid = NvmeSqe.nsid(q, e);
        MemorySegment.copy(zeroes, 0, scratch, 0, PAGE);
        switch (cns) {
            case NvmeOpcodes.CNS_CONTROLLER -> identifyController();
            case NvmeOpcodes.CNS_NAMESPACE -> {
                if (nsid == 0xFFFFFFFF) {
                    identifyLbaFormats(-1);
                } else if (namespace(nsid) == null) {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT;
                } else {
                    identifyNamespace(namespace(nsid));
                }
            }
            case NvmeOpcodes.CNS_ACTIVE_NAMESPACES -> {
                if (Integer.compareUnsigned(nsid, 0xFFFFFFFE) >= 0) {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT;
                }
                int n = 0;
                for (long id = Integer.toUnsignedLong(nsid) + 1; id <= namespaces.length && n < PAGE / 4; id++) {
                    scratch.set(JAVA_INT, 4L * n++, (int) id);
                }
            }
            default -> {
                return NvmeStatus.INVALID_FIELD;
            }
        }
        return data.toHost(q, e, scratch, 0, PAGE);
    }

    private void identifyController() {
        scratch.set(JAVA_SHORT, 0, (short) VENDOR_ID);
        scratch.set(JAVA_SHORT, 2, (short) VENDOR_ID);
        ascii(4, 20, serial);
        ascii(24, 40, "Qpair NVMe controller model");
        ascii(64, 8, "0.1.0");
        scratch.set(JAVA_BYTE, 77, (byte) MDTS);
        scratch.set(JAVA_SHORT, 78, (short) 1);
        scratch.set(JAVA_INT, 80, NvmeRegs.VERSION_1_4);
        scratch.set(JAVA_SHORT, 256, (short) (1 << 8));
        scratch.set(JAVA_BYTE, 258, (byte) 3);
        scratch.set(JAVA_BYTE, 259, (byte) (MAX_ASYNC_EVENT_REQUESTS - 1));
        scratch.set(JAVA_BYTE, 262, (byte) (ErrorLog.ENTRIES - 1));
        scratch.set(JAVA_BYTE, 512, (byte) (NvmeSqe.SIZE_SHIFT << 4 | NvmeSqe.SIZE_SHIFT));
        scratch.set(JAVA_BYTE, 513, (byte) (NvmeCqe.SIZE_SHIFT << 4 | NvmeCqe.SIZE_SHIFT));
        scratch.set(JAVA_SHORT, 514, (short) (MAX_QUEUE_ENTRIES - 1));
        scratch.set(JAVA_INT, 516, namespaces.length);
        scratch.set(JAVA_SHORT, 520, (short) (1 << 2 | 1 << 3));
        scratch.set(JAVA_BYTE, 525, (byte) 1);
        scratch.set(JAVA_INT, 536, 1);
        ascii(768, 256, "nqn.2026-11.dev.qpair:nvme:" + serial);
    }

    private void identifyNamespace(Namespace ns) {
        scratch.set(JAVA_LONG, 0, ns.lbaCount());
        scratch.set(JAVA_LONG, 8, ns.lbaCount());
        scratch.set(JAVA_LONG, 16, ns.lbaCount());
        scratch.set(JAVA_BYTE, 33, (byte) 1);
        identifyLbaFormats(ns.lbaShift());
    }

    private void identifyLbaFormats(int lbaShift) {
        scratch.set(JAVA_BYTE, 25, (byte) 1);
        scratch.set(JAVA_BYTE, 26, (byte) (lbaShift == 12 ? 1 : 0));
        scratch.set(JAVA_INT, 128, 9 << 16);
        scratch.set(JAVA_INT, 132, 12 << 16);
    }

    private void ascii(long offset, int width, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            scratch.set(JAVA_BYTE, offset + i, i < bytes.length ? bytes[i] : (byte) ' ');
        }
    }

    private Namespace namespace(int nsid) {
        return nsid >= 1 && nsid <= namespaces.length ? namespaces[nsid - 1] : null;
    }

    // ---- NVM command set ----

    private int io(MemorySegment q, long e) {
        long dw0dw1 = NvmeSqe.dw0dw1(q, e);
        if ((dw0dw1 & 0x300) != 0) {
            return NvmeStatus.INVALID_FIELD;
        }
        int opcode = (int) dw0dw1 & 0xFF;
        int nsid = (int) (dw0dw1 >>> 32);
        if (opcode == NvmeOpcodes.NVM_FLUSH && nsid == 0xFFFFFFFF) {
            for (Namespace ns : namespaces) {
                int status = flush(ns);
                if (status != NvmeStatus.SUCCESS) {
                    return status;
                }
            }
            return NvmeStatus.SUCCESS;
        }
        if (opcode != NvmeOpcodes.NVM_FLUSH && opcode != NvmeOpcodes.NVM_WRITE && opcode != NvmeOpcodes.NVM_READ
                && opcode != NvmeOpcodes.NVM_WRITE_ZEROES && opcode != NvmeOpcodes.NVM_DATASET_MANAGEMENT) {
            return NvmeStatus.INVALID_OPCODE;
        }
        Namespace ns = namespace(nsid);
        if (ns == null) {
            return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT;
        }
        return switch (opcode) {
            case NvmeOpcodes.NVM_FLUSH -> flush(ns);
            case NvmeOpcodes.NVM_WRITE, NvmeOpcodes.NVM_READ -> readWrite(q, e, ns, opcode == NvmeOpcodes.NVM_WRITE);
            case NvmeOpcodes.NVM_WRITE_ZEROES -> writeZeroes(q, e, ns);
            default -> datasetManagement(q, e, ns);
        };
    }

    private static int flush(Namespace ns) {
        try {
            ns.flush();
            return NvmeStatus.SUCCESS;
        } catch (RuntimeException ex) {
            return NvmeStatus.WRITE_FAULT;
        }
    }

    private int readWrite(MemorySegment q, long e, Namespace ns, boolean write) {
        long slba = NvmeSqe.cdw10cdw11(q, e);
        int cdw12 = NvmeSqe.cdw12(q, e);
        long nlb = (cdw12 & 0xFFFF) + 1L;
        long length = nlb << ns.lbaShift();
        if (length > MAX_TRANSFER_BYTES) {
            return NvmeStatus.INVALID_FIELD;
        }
        if (outOfRange(ns, slba, nlb)) {
            errorLba = slba;
            return NvmeStatus.LBA_OUT_OF_RANGE;
        }
        long offset = slba << ns.lbaShift();
        if (!write) {
            int status = data.toHost(q, e, ns.data(), offset, length);
            if (status == NvmeStatus.SUCCESS) {
                readCommands++;
                bytesRead += length;
            }
            return status;
        }
        int status = data.fromHost(q, e, ns.data(), offset, length);
        if (status == NvmeStatus.SUCCESS) {
            writeCommands++;
            bytesWritten += length;
        }
        if (status == NvmeStatus.SUCCESS && (cdw12 & (1 << 30)) != 0) {
            try {
                ns.flush(offset, length);
            } catch (RuntimeException ex) {
                return NvmeStatus.WRITE_FAULT;
            }
        }
        return status;
    }

    private int writeZeroes(MemorySegment q, long e, Namespace ns) {
        long slba = slba(q, e);
        long nlb = (NvmeSqe.cdw12(q, e) & 0xFFFF) + 1L;
        if (outOfRange(ns, slba, nlb)) {
            errorLba = slba;
            return NvmeStatus.LBA_OUT_OF_RANGE;
        }
        SubmissionQueue sq = current;
        sq.zeroRanges[0] = slba << ns.lbaShift();
        sq.zeroRanges[1] = nlb << ns.lbaShift();
        return startZero(sq, ns, 1);
    }

    private int datasetManagement(MemorySegment q, long e, Namespace ns) {
        int ranges = (NvmeSqe.cdw10(q, e) & 0xFF) + 1;
        boolean deallocate = (NvmeSqe.cdw11(q, e) & (1 << 2)) != 0;
        int status = data.fromHost(q, e, scratch, 0, (long) ranges * 16);
        if (status != NvmeStatus.SUCCESS || !deallocate) {
            return status;
        }
        for (int i = 0; i < ranges; i++) {
            long nlb = Integer.toUnsignedLong(scratch.get(JAVA_INT, i * 16L + 4));
            long slba = scratch.get(JAVA_LONG, i * 16L + 8);
            if (nlb != 0 && outOfRange(ns, slba, nlb)) {
                errorLba = slba;
                return NvmeStatus.LBA_OUT_OF_RANGE;
            }
        }
        SubmissionQueue sq = current;
        int count = 0;
        for (int i = 0; i < ranges; i++) {
            long nlb = Integer.toUnsignedLong(scratch.get(JAVA_INT, i * 16L + 4));
            if (nlb != 0) {
                sq.zeroRanges[2 * count] = scratch.get(JAVA_LONG, i * 16L + 8) << ns.lbaShift();
                sq.zeroRanges[2 * count + 1] = nlb << ns.lbaShift();
                count++;
            }
        }
        return count == 0 ? NvmeStatus.SUCCESS : startZero(sq, ns, count);
    }

    /**
     * Starts zeroing {@code ranges} (byte offset, byte length) pairs of {@code sq.zeroRanges}:
     * completes at once when they fit in one pass's budget, else defers the command's CQE to the
     * pass that finishes it.
     */
    private int startZero(SubmissionQueue sq, Namespace ns, int ranges) {
        sq.zeroNs = ns;
        sq.zeroCid = currentCid;
        sq.zeroRange = 0;
        sq.zeroRangeCount = ranges;
        sq.zeroStatus = -1;
        int status = zeroStep(sq);
        if (status >= 0) {
            sq.zeroNs = null;
            return status;
        }
        zeroJobs++;
        return DEFERRED;
    }

    /**
     * One pass of a deferred zeroing: up to the budget, and its CQE when it is done and the CQ has
     * a slot. Returns whether the SQ may fetch again.
     */
    private boolean continueZero(SubmissionQueue sq) {
        if (sq.zeroStatus < 0) {
            sq.zeroStatus = zeroStep(sq);
        }
        if (sq.zeroStatus < 0 || cqFull(sq.cq)) {
            return false;
        }
        if (sq.zeroStatus != NvmeStatus.SUCCESS) {
            errorLog.record(sq.qid, sq.zeroCid, sq.zeroStatus << 1 | sq.cq.phase, 0, -1);
        }
        post(sq.cq, sq.zeroStatus, 0, sq.head, sq.qid, sq.zeroCid);
        sq.zeroNs = null;
        zeroJobs--;
        return true;
    }

    /** Zeroes up to {@link #ZERO_BYTES_PER_PASS}; returns the status when done, -1 when not. */
    private int zeroStep(SubmissionQueue sq) {
        long budget = ZERO_BYTES_PER_PASS;
        MemorySegment data = sq.zeroNs.data();
        try {
            while (sq.zeroRange < sq.zeroRangeCount) {
                int r = 2 * sq.zeroRange;
                long at = sq.zeroRanges[r];
                long left = sq.zeroRanges[r + 1];
                while (left > 0) {
                    if (budget == 0) {
                        sq.zeroRanges[r] = at;
                        sq.zeroRanges[r + 1] = left;
                        return -1;
                    }
                    long n = Math.min(Math.min(PAGE, left), budget);
                    MemorySegment.copy(zeroes, 0, data, at, n);
                    at += n;
                    left -= n;
                    budget -= n;
                }
                sq.zeroRange++;
            }
            return NvmeStatus.SUCCESS;
        } catch (RuntimeException ex) {
            return NvmeStatus.INTERNAL_ERROR;
        }
    }

    private static long slba(MemorySegment q, long e) {
        return Integer.toUnsignedLong(NvmeSqe.cdw10(q, e)) | (long) NvmeSqe.cdw11(q, e) << 32;
    }

    /** {@code slba + nlb > nsze}, without overflow: QEMU's nvme_check_bounds. */
    private static boolean outOfRange(Namespace ns, long slba, long nlb) {
        long nsze = ns.lbaCount();
        return nlb > nsze || Long.compareUnsigned(slba, nsze - nlb) > 0;
    }

    /** Stops the controller thread (bounded wait) and releases the register page. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                throw new IllegalStateException("the controller thread did not stop within 5 s");
            }
        }
        dma.unpinAll(this);
        if (cmb != null) {
            dma.unmap(cmb);
        }
        arena.close();
    }
}
