package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import dev.qpair.memory.AccessFlags;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.RingMath;
import dev.qpair.rings.SendWqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * send-lat's work per message written flat: the checks and copies an inline SEND and its receive
 * completion need, as send-lat keeps them, over off-heap rings, for one QP pair in INLINE mode,
 * with no objects, no locks, no dispatch and no error path. It answers how close to the peers a
 * verbs ping-pong can come on this machine at all: {@code flat-send} minus {@code floor-send} is
 * what the semantics cost, and {@code send-lat} minus {@code flat-send} is what the HCA model adds.
 *
 * <p>Per message, on the sending thread: the WQE (control segment, wr_id, inline header, payload)
 * is built in the send ring and the doorbell record's producer index published; the engine reads
 * it back, checks opcode, inline flag, size against the producer index, the QP states and the PSN,
 * takes the peer's next posted receive (cached producer index; 16 WQEs' lines read at once, for the
 * next message right after a CQE's release), checks its SGE's lkey, access and bounds against the
 * peer's MR, claims a CQE on the peer's receive CQ (cached consumer index), scatters the payload
 * into the CQE and releases its owner word; one send in {@code --signal} also gets a CQE on the
 * sender's own send CQ, which it polls. On the receiving thread: the poll asks for the CQE's second
 * line with its first, reads the receive WQE, checks its lkey, access and bounds, copies the payload
 * into the receive buffer and publishes the consumer index; after its next send, the thread reposts
 * 16 receives at a time. Ring sizes, batches and the CQE layout are as in {@link SendLat}. It leaves out what only a general implementation needs (a key-table lookup: each
 * side has one MR, compared directly; the doorbell-page write; the send CQ's consumer index), so it
 * is a lower bound on what the semantics cost.
 */
public final class FlatSend implements Benchmark {

    public static final String NAME = "flat-send";
    /** The largest payload that travels in a 128-byte CQE, as in send-lat. */
    public static final int MAX_SIZE = Cqe.maxInlineData(Cqe.LARGE_SIZE);

    /** As send-lat's QPs: 64 WRs of up to two 64-byte blocks. */
    private static final int SQ_WRS = 64;
    private static final int SQ_BLOCKS = 2 * SQ_WRS;
    private static final int BLOCK = 64;
    private static final int RQ_SLOTS = 64;
    private static final int RQ_STRIDE = 32;
    private static final int RECV_CQES = 128;
    private static final int RECV_CQE = Cqe.LARGE_SIZE;
    private static final int RECV_CQES_LOG2 = Integer.numberOfTrailingZeros(RECV_CQES);
    private static final int SEND_CQES = 128;
    private static final int SEND_CQE = 64;
    private static final int SEND_CQES_LOG2 = Integer.numberOfTrailingZeros(SEND_CQES);
    private static final int REPOST_BATCH = 16;
    private static final int READ_AHEAD = 16;
    private static final long RECV_AT = 4096;

    private static final int OP_SEND = 0x0a;
    private static final int FLAG_INLINE = 1;
    private static final int FLAG_SIGNALED = 2;
    private static final int INLINE_AT = 32;
    /** Receive CQE fields where {@link Cqe#LARGE_LAYOUT} has them: the word at 24 ends in inline_len and the owner byte. */
    private static final int CQE_WR_ID = 0;
    private static final int CQE_BYTE_LEN = 8;
    private static final int CQE_SRC_QP = 20;
    private static final int CQE_TAIL = 24;
    private static final long CQE_DATA = Cqe.INLINE_DATA_OFFSET;
    private static final int RTS = 3;
    private static final int RTR = 2;
    private static final long SEND_AT = DoorbellRecord.SEND_PRODUCER_OFFSET;
    private static final long RECV_PRODUCER_AT = DoorbellRecord.RECV_PRODUCER_OFFSET;

    /** Each side's fields on lines of their own: index {@link #PAD} on, 128 bytes of array before and after. */
    private static final int PAD = 32;
    private static final int SQ_TAIL = PAD;
    private static final int DEVICE_SQ = PAD + 1;
    private static final int SQ_PSN = PAD + 2;
    private static final int RQ_TAIL = PAD + 3;
    private static final int CONS_RQ = PAD + 4;
    private static final int CQ_CONS = PAD + 5;
    private static final int SEND_CQ_PROD = PAD + 6;
    private static final int SEND_CQ_CONS = PAD + 7;
    private static final int SENT = PAD + 8;
    private static final int SQ_FREED = PAD + 9;
    private static final int DEVICE_RQ = PAD;
    private static final int POSTED_CACHE = PAD + 1;
    private static final int READ_AHEAD_TO = PAD + 2;
    private static final int CQ_PROD = PAD + 3;
    private static final int CQ_CACHED_CONS = PAD + 4;
    private static final int EXPECTED_PSN = PAD + 5;
    /** The read-ahead loads' sum, stored so that the compiler keeps the loads. */
    private static final int READ_AHEAD_SINK = PAD + 6;
    private static final int RESPONDER_STATE = PAD + 7;
    private static final int QP_STATE = PAD + 10;
    /** Receives taken and not yet reposted, once a batch is due. */
    private static final int REPOST_DUE = PAD + 11;
    private static final int FIELDS = 2 * PAD + 12;

    private final int size;
    private final int signalInterval;
    private Arena arena;
    private Side a;
    private Side b;
    private Peer peer;
    private long errors;
    private volatile long peerErrors;
    /** {@link #poll}'s answer when the next CQE is not there yet. */
    private static final long EMPTY = -2;

    /** One QP: its rings, its MR, the host's fields (written by its own thread) and the responder's (by the peer's). */
    private static final class Side {
        final MemorySegment sq;
        final MemorySegment record;
        final MemorySegment rq;
        final MemorySegment recvCq;
        final MemorySegment recvCqCtl;
        final MemorySegment sendCq;
        final MemorySegment buf;
        final long mrBase;
        final long mrLength;
        final int lkey;
        final int access;
        final int qpn;
        final int[] host = new int[FIELDS];
        final int[] responder = new int[FIELDS];

        Side(Arena arena, int qpn) {
            sq = arena.allocate((long) SQ_BLOCKS * BLOCK, 4096);
            record = arena.allocate(DoorbellRecord.LAYOUT.byteSize(), DoorbellRecord.ALIGNMENT);
            rq = arena.allocate((long) RQ_SLOTS * RQ_STRIDE, 4096);
            recvCq = arena.allocate((long) RECV_CQES * RECV_CQE, 4096);
            recvCqCtl = arena.allocate(256, 128);
            sendCq = arena.allocate((long) SEND_CQES * SEND_CQE, 4096);
            buf = arena.allocate(2 * RECV_AT, 4096);
            mrBase = buf.address();
            mrLength = buf.byteSize();
            lkey = qpn << 8 | 0x05;
            access = AccessFlags.LOCAL_WRITE;
            this.qpn = qpn;
            host[SQ_PSN] = 100;
            host[QP_STATE] = RTS;
            responder[EXPECTED_PSN] = 100;
            responder[RESPONDER_STATE] = RTS;
        }
    }

    public FlatSend(Options options) {
        this.size = options.sizeOr(64);
        if (size < Long.BYTES || size > MAX_SIZE || !options.inlineFor(size)) {
            throw new IllegalArgumentException("size: " + size + " bytes is outside " + Long.BYTES + ".." + MAX_SIZE
                    + " or not inline (flat-send sends inline and scatters the payload into a 128-byte CQE)");
        }
        this.signalInterval = Math.min(options.signalInterval(), SQ_WRS / 2);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kind kind() {
        return Kind.LATENCY;
    }

    @Override
    public int sizeBytes() {
        return size;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", size).put("mirrors", SendLat.NAME).put("device_mode", "inline").put("inline", true)
                .put("signal_interval", signalInterval).put("recv_depth", RQ_SLOTS).put("recv_repost_batch", REPOST_BATCH)
                .put("recv_cqe_bytes", RECV_CQE).put("scatter_to_cqe", true).put("locks", 0)
                .put("measures", "send-lat's per-message checks and copies, written flat: no objects, locks or dispatch");
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofShared();
        a = new Side(arena, 0x11);
        b = new Side(arena, 0x12);
        postRecvs(a, RQ_SLOTS);
        postRecvs(b, RQ_SLOTS);
        peer = new Peer("qpair-flat-send-peer", peerCpu, this::echo, () -> { });
        return peer.start();
    }

    private void echo(Peer self) {
        long bad = 0;
        while (self.running()) {
            long value = poll(b);
            if (value == EMPTY) {
                Thread.onSpinWait();
                continue;
            }
            if (value < 0) {
                peerErrors = ++bad;
            }
            send(b, a, value);
            repostDue(b);
        }
    }

    @Override
    public long operation(long i) {
        send(a, b, i);
        repostDue(a);
        long value;
        if ((value = poll(a)) == EMPTY) {
            long started = System.nanoTime();
            int spins = 0;
            while ((value = poll(a)) == EMPTY) {
                Thread.onSpinWait();
                if ((++spins & 0xffff) == 0) {
                    peer.checkAlive();
                    if (System.nanoTime() - started > VerbsPair.STALL_NS) {
                        throw new IllegalStateException("flat-send: no receive completion for operation " + i + " within 5 s");
                    }
                }
            }
        }
        if (value != i) {
            errors++;
        }
        return value;
    }

    @Override
    public long errors() {
        return errors + peerErrors;
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.stop(() -> { });
            peer = null;
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }

    /** The host's post and the engine's execution of one inline SEND from {@code q} to {@code to}. */
    private void send(Side q, Side to, long value) {
        int[] h = q.host;
        q.buf.set(JAVA_LONG, 0, value);
        int sent = ++h[SENT];
        boolean signaled = sent % signalInterval == 0;
        int tail = h[SQ_TAIL];
        long at = (long) (tail & (SQ_BLOCKS - 1)) * BLOCK;
        int ds = (INLINE_AT + size + 15) / 16;
        int blocks = SendWqe.basicBlocks(ds);
        if (tail + blocks - h[SQ_FREED] > SQ_BLOCKS) {
            throw new IllegalStateException("flat-send: the send queue is full: " + (tail - h[SQ_FREED]) + " of " + SQ_BLOCKS
                    + " blocks in use, " + blocks + " needed");
        }
        MemorySegment sq = q.sq;
        sq.set(JAVA_INT, at, OP_SEND | (FLAG_INLINE | (signaled ? FLAG_SIGNALED : 0)) << 8);
        sq.set(JAVA_INT, at + 4, tail);
        sq.set(JAVA_INT, at + 8, q.qpn << 8 | ds);
        sq.set(JAVA_LONG, at + 16, sent);
        sq.set(JAVA_INT, at + 24, size);
        MemorySegment.copy(q.buf, 0, sq, at + INLINE_AT, size);
        h[SQ_TAIL] = tail + blocks;
        Barriers.smpStoreReleaseInt(q.record, SEND_AT, h[SQ_TAIL]); // dma_wmb(): the WQE's stores before the doorbell record's producer index
        String refusal = execute(q, to);
        if (refusal != null) {
            throw new IllegalStateException("flat-send: the engine refused SEND " + sent + ": " + refusal);
        }
        if (signaled) {
            pollSendCq(q);
        }
    }

    /** Executes the WQE at the send queue's head; null, or what refused it. */
    private String execute(Side q, Side to) {
        int[] h = q.host;
        int[] r = to.responder;
        int producer = Barriers.smpLoadAcquireInt(q.record, SEND_AT); // smp_load_acquire(): the producer index before the WQE's loads
        int index = h[DEVICE_SQ];
        long at = (long) (index & (SQ_BLOCKS - 1)) * BLOCK;
        MemorySegment sq = q.sq;
        int control = sq.get(JAVA_INT, at);
        int ds = sq.get(JAVA_INT, at + 8) & 0xff;
        int n = sq.get(JAVA_INT, at + 24);
        if ((control & 0xff) != OP_SEND || (control >>> 8 & FLAG_INLINE) == 0 || SendWqe.basicBlocks(ds) != producer - index
                || n <= 0 || n > MAX_SIZE || INLINE_AT + n > ds * 16) {
            return "malformed WQE";
        }
        int state = r[RESPONDER_STATE];
        if (h[QP_STATE] != RTS || (state != RTR && state != RTS) || r[EXPECTED_PSN] != h[SQ_PSN]) {
            return "QP state or PSN";
        }
        int rq = r[DEVICE_RQ];
        if (!hasRecv(to, r, rq)) {
            return "no receive posted";
        }
        MemorySegment rqRing = to.rq;
        long slot = (long) (rq & (RQ_SLOTS - 1)) * RQ_STRIDE;
        long address = rqRing.get(JAVA_LONG, slot + 16);
        int key = rqRing.get(JAVA_INT, slot + 24);
        long length = rqRing.get(JAVA_INT, slot + 28) & 0xffff_ffffL;
        if (rqRing.get(JAVA_INT, slot + 8) != 1 || key != to.lkey || (to.access & AccessFlags.LOCAL_WRITE) == 0
                || address < to.mrBase || address + length > to.mrBase + to.mrLength || length < n) {
            return "receive SGE refused";
        }
        int p = r[CQ_PROD];
        if (p - r[CQ_CACHED_CONS] >= RECV_CQES) {
            r[CQ_CACHED_CONS] = Barriers.smpLoadAcquireInt(to.recvCqCtl, 0); // smp_load_acquire(): the host's CQE reads before the slot's reuse
            if (p - r[CQ_CACHED_CONS] >= RECV_CQES) {
                return "receive CQ full";
            }
        }
        long cqe = (long) (p & (RECV_CQES - 1)) * RECV_CQE;
        MemorySegment cq = to.recvCq;
        MemorySegment.copy(sq, at + INLINE_AT, cq, cqe + CQE_DATA, n);
        cq.set(JAVA_LONG, cqe + CQE_WR_ID, rqRing.get(JAVA_LONG, slot));
        cq.set(JAVA_INT, cqe + CQE_BYTE_LEN, n);
        cq.set(JAVA_INT, cqe + CQE_SRC_QP, q.qpn);
        long tailWord = (long) RingMath.ownerBit(p, RECV_CQES_LOG2) << 56 | (long) n << 48 | (rq & 0xffff);
        Barriers.smpStoreReleaseLong(cq, cqe + CQE_TAIL, tailWord); // dma_wmb(): the CQE's payload and fields before the word with its owner byte
        r[CQ_PROD] = p + 1;
        r[DEVICE_RQ] = rq + 1;
        r[EXPECTED_PSN] = (r[EXPECTED_PSN] + 1) & 0xff_ffff;
        hasRecv(to, r, rq + 1);
        h[SQ_PSN] = (h[SQ_PSN] + 1) & 0xff_ffff;
        h[DEVICE_SQ] = producer;
        if ((control >>> 8 & FLAG_SIGNALED) != 0) {
            int sp = h[SEND_CQ_PROD]++;
            long sendCqe = (long) (sp & (SEND_CQES - 1)) * SEND_CQE;
            q.sendCq.set(JAVA_LONG, sendCqe, sq.get(JAVA_LONG, at + 16));
            q.sendCq.set(JAVA_INT, sendCqe + 8, n);
            Barriers.smpStoreReleaseLong(q.sendCq, sendCqe + CQE_TAIL, (long) RingMath.ownerBit(sp, SEND_CQES_LOG2) << 56 | (index & 0xffff)); // dma_wmb(): the CQE's fields before the word with its owner byte
        }
        return null;
    }

    /**
     * Whether a receive is posted at {@code rq}: reads the doorbell record when the cached producer
     * index is used up and the next stretch's lines when {@code rq} enters it. Also called right
     * after a CQE's release, for the next message, as send-lat's responder does.
     */
    private static boolean hasRecv(Side to, int[] r, int rq) {
        if (rq == r[POSTED_CACHE]) {
            r[POSTED_CACHE] = Barriers.smpLoadAcquireInt(to.record, RECV_PRODUCER_AT); // smp_load_acquire(): the receive producer index before the WQEs' loads
            if (rq == r[POSTED_CACHE]) {
                return false;
            }
        }
        if (rq - r[READ_AHEAD_TO] >= 0) {
            int ahead = Math.min(READ_AHEAD, r[POSTED_CACHE] - rq);
            long sink = 0;
            for (int k = 0; k < ahead; k += BLOCK / RQ_STRIDE) {
                sink += Barriers.readOnceLong(to.rq, (long) ((rq + k) & (RQ_SLOTS - 1)) * RQ_STRIDE); // READ_ONCE(): requests the WQE lines together; orders nothing
            }
            r[READ_AHEAD_SINK] += (int) sink;
            r[READ_AHEAD_TO] = rq + ahead;
        }
        return true;
    }

    private static void pollSendCq(Side q) {
        int[] h = q.host;
        int c = h[SEND_CQ_CONS];
        long cqe = (long) (c & (SEND_CQES - 1)) * SEND_CQE;
        long tailWord = Barriers.smpLoadAcquireLong(q.sendCq, cqe + CQE_TAIL); // smp_load_acquire(): the owner byte before the CQE's other loads
        if ((tailWord >>> 56 & 1) != RingMath.ownerBit(c, SEND_CQES_LOG2) || q.sendCq.get(JAVA_LONG, cqe) != h[SENT]) {
            throw new IllegalStateException("flat-send: no send CQE for wr_id " + h[SENT]);
        }
        h[SEND_CQ_CONS] = c + 1;
        h[SQ_FREED] = h[SQ_TAIL];
    }

    /** The host's poll of its receive CQ: the payload's value, {@link #EMPTY}, or -1 for a bad completion. */
    private long poll(Side x) {
        int[] h = x.host;
        int c = h[CQ_CONS];
        long cqe = (long) (c & (RECV_CQES - 1)) * RECV_CQE;
        MemorySegment cq = x.recvCq;
        Barriers.readOnceLong(cq, cqe + 64); // READ_ONCE() as prefetch(): asks for the CQE's second line with its first, so the two transfers overlap; orders nothing
        long tailWord = Barriers.smpLoadAcquireLong(cq, cqe + CQE_TAIL); // smp_load_acquire(): the owner byte before the CQE's other loads
        if ((tailWord >>> 56 & 1) != RingMath.ownerBit(c, RECV_CQES_LOG2)) {
            return EMPTY;
        }
        int n = (int) (tailWord >>> 48 & 0xff);
        int rq = h[CONS_RQ];
        long slot = (long) (rq & (RQ_SLOTS - 1)) * RQ_STRIDE;
        long address = x.rq.get(JAVA_LONG, slot + 16);
        long length = x.rq.get(JAVA_INT, slot + 28) & 0xffff_ffffL;
        boolean good = x.rq.get(JAVA_INT, slot + 24) == x.lkey && (x.access & AccessFlags.LOCAL_WRITE) != 0
                && address >= x.mrBase && address + length <= x.mrBase + x.mrLength && length >= n
                && (tailWord & 0xffff) == (rq & 0xffff) && cq.get(JAVA_INT, cqe + CQE_BYTE_LEN) == n;
        if (good) {
            MemorySegment.copy(cq, cqe + CQE_DATA, x.buf, address - x.mrBase, n);
        }
        h[CONS_RQ] = rq + 1;
        h[CQ_CONS] = c + 1;
        Barriers.smpStoreReleaseInt(x.recvCqCtl, 0, c + 1); // smp_store_release(): the CQE's reads before the slot goes back to the device
        if ((rq + 1) % REPOST_BATCH == 0) {
            h[REPOST_DUE] = REPOST_BATCH;
        }
        return good ? x.buf.get(JAVA_LONG, RECV_AT) : -1;
    }

    /** Reposts the receives {@link #poll} took, once a batch is due: called after a send, while the peer works. */
    private void repostDue(Side x) {
        int n = x.host[REPOST_DUE];
        if (n != 0) {
            postRecvs(x, n);
            x.host[REPOST_DUE] = 0;
        }
    }

    /** Posts {@code n} receives into the one receive buffer and publishes the producer index once. */
    private void postRecvs(Side x, int n) {
        int[] h = x.host;
        MemorySegment rq = x.rq;
        for (int k = 0; k < n; k++) {
            int tail = h[RQ_TAIL]++;
            long slot = (long) (tail & (RQ_SLOTS - 1)) * RQ_STRIDE;
            rq.set(JAVA_LONG, slot, tail);
            rq.set(JAVA_INT, slot + 8, 1);
            rq.set(JAVA_LONG, slot + 16, x.mrBase + RECV_AT);
            rq.set(JAVA_INT, slot + 24, x.lkey);
            rq.set(JAVA_INT, slot + 28, size);
        }
        Barriers.smpStoreReleaseInt(x.record, RECV_PRODUCER_AT, h[RQ_TAIL]); // dma_wmb(): the receive WQEs' stores before the doorbell record's producer index
    }
}
