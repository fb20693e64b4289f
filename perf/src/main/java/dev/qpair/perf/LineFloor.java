package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The floor of a verbs latency row: the cache lines that row moves between the two cores, moved by
 * two threads doing nothing else. The measuring thread writes an {@code out}-byte message into the
 * next slot of a ring and the peer thread answers with a {@code back}-byte message in a second ring;
 * a slot is the message rounded up to whole 64-byte lines, its last 8 bytes a tag (the sequence
 * number plus one) stored with release after the rest, and the receiver spins on the tag with
 * acquire, loading the slot's other lines in the same spin so that their transfers overlap, then
 * copies the whole message out into its own buffer. No WQE is parsed, no key looked up, no lock
 * taken: a verbs row's distance from its floor is the work its datapath adds per round trip.
 *
 * <ul>
 *   <li>{@code floor-write} ({@link #write}): write-lat's lines. Out: the doorbell slot of an inline
 *       RDMA_WRITE of {@code size} bytes, its 12-byte doorbell and the WQE (36 bytes of segments
 *       and the payload) as one message, 112 bytes at 64: two lines. Above 80 bytes the WQE no
 *       longer fits the slot's copy and the row moves the slot's line besides the WQE's, at most
 *       one line more than this floor. Back: one 64-byte CQE.</li>
 *   <li>{@code floor-send} ({@link #send}): send-lat's lines, each way: a 64-byte CQE header and the
 *       {@code size} bytes the receiver reads (scattered into a 128-byte CQE at 64), 128 bytes at
 *       64: two lines.</li>
 * </ul>
 */
public final class LineFloor implements Benchmark {

    public static final String WRITE = "floor-write";
    public static final String SEND = "floor-send";
    /** The largest {@code size} a floor row takes (as the peers). */
    static final int MAX_SIZE = PeerPayload.MAX_BYTES;
    /** Bytes of an inline RDMA_WRITE WQE before its payload: control, remote-address and inline-header segments. */
    static final int WRITE_WQE_HEADER = 36;
    /** Bytes of a doorbell slot besides the WQE copy: QPN and blocks, producer index, sequence. */
    static final int DOORBELL_HEADER = 12;
    /** Bytes of a CQE without inline data. */
    static final int CQE_BYTES = 64;

    private static final int LINE = 64;
    private static final int SLOTS = 64;

    private final String name;
    private final int size;
    private final int out;
    private final int back;
    private final int outStride;
    private final int backStride;
    private Arena arena;
    private MemorySegment outRing;
    private MemorySegment backRing;
    private MemorySegment source;
    private MemorySegment receive;
    private Peer peer;
    private long sent;
    private long errors;

    private LineFloor(String name, int size, int out, int back) {
        this.name = name;
        this.size = size;
        this.out = out;
        this.back = back;
        this.outStride = stride(out);
        this.backStride = stride(back);
    }

    /**
     * write-lat's floor at {@code size} payload bytes.
     *
     * @throws IllegalArgumentException naming {@code size} when it is outside 1..4096
     */
    public static LineFloor write(int size) {
        checkSize(size);
        return new LineFloor(WRITE, size, DOORBELL_HEADER + WRITE_WQE_HEADER + size, CQE_BYTES);
    }

    /**
     * send-lat's floor at {@code size} payload bytes.
     *
     * @throws IllegalArgumentException naming {@code size} when it is outside 1..4096
     */
    public static LineFloor send(int size) {
        checkSize(size);
        return new LineFloor(SEND, size, CQE_BYTES + size, CQE_BYTES + size);
    }

    private static void checkSize(int size) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size: " + size + " bytes is outside 1.." + MAX_SIZE);
        }
    }

    /** A message's slot: the message, its tag included, rounded up to whole lines (every message here is over 48 bytes). */
    private static int stride(int messageBytes) {
        return (messageBytes + LINE - 1) / LINE * LINE;
    }

    /** Lines the out message spans. */
    int outLines() {
        return outStride / LINE;
    }

    /** Lines the back message spans. */
    int backLines() {
        return backStride / LINE;
    }

    @Override
    public String name() {
        return name;
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
        params.put("size_bytes", size).put("mirrors", name.equals(WRITE) ? WriteLat.NAME : SendLat.NAME)
                .put("out_bytes", out).put("out_lines", outLines()).put("back_bytes", back).put("back_lines", backLines())
                .put("transport", "a ring of line-rounded off-heap slots per direction, 8-byte tag in each slot's last word")
                .put("ordering", "smp_store_release / smp_load_acquire on the tag")
                .put("wait", "busy-spin, Thread.onSpinWait, the slot's other lines loaded in the spin")
                .put("payload", "bulk copy from a source segment into the slot; the receiver copies it out");
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofShared();
        outRing = arena.allocate((long) SLOTS * outStride, 4096);
        backRing = arena.allocate((long) SLOTS * backStride, 4096);
        source = arena.allocate(outStride, 128);
        receive = arena.allocate(backStride, 128);
        peer = new Peer("qpair-floor-peer", peerCpu, this::echo, () -> { });
        return peer.start();
    }

    /** The peer allocates its own buffers and works on locals, so it shares no written line with the measuring thread. */
    private void echo(Peer self) {
        MemorySegment in = outRing;
        MemorySegment reply = backRing;
        int inStride = outStride;
        int replyStride = backStride;
        int inBytes = out - Long.BYTES;
        int replyBytes = back - Long.BYTES;
        try (Arena own = Arena.ofConfined()) {
            MemorySegment copy = own.allocate(inStride, 128);
            MemorySegment answer = own.allocate(replyStride, 128);
            long next = 0;
            while (self.running()) {
                long slot = (next & (SLOTS - 1)) * inStride;
                if (!arrived(in, slot, inStride, next)) {
                    Thread.onSpinWait();
                    continue;
                }
                MemorySegment.copy(in, slot, copy, 0, inBytes);
                answer.set(JAVA_LONG, 0, copy.get(JAVA_LONG, 0));
                long replySlot = (next & (SLOTS - 1)) * replyStride;
                MemorySegment.copy(answer, 0, reply, replySlot, replyBytes);
                Barriers.smpStoreReleaseLong(reply, replySlot + tagOffset(replyStride), next + 1); // smp_store_release(): the message before its tag
                next++;
            }
        }
    }

    /** Whether the message of sequence {@code seq} is in the slot at {@code slot}; asks for the slot's other lines first. */
    private static boolean arrived(MemorySegment ring, long slot, int stride, long seq) {
        for (int line = 0; line < stride - LINE; line += LINE) {
            Barriers.readOnceLong(ring, slot + line); // READ_ONCE(): requests the line now, so that its transfer overlaps the tag's; orders nothing
        }
        return Barriers.smpLoadAcquireLong(ring, slot + tagOffset(stride)) == seq + 1; // smp_load_acquire(): the tag before the message's loads
    }

    private static int tagOffset(int stride) {
        return stride - Long.BYTES;
    }

    @Override
    public long operation(long i) {
        long seq = sent++;
        long slot = (seq & (SLOTS - 1)) * outStride;
        source.set(JAVA_LONG, 0, i);
        MemorySegment.copy(source, 0, outRing, slot, out - Long.BYTES);
        Barriers.smpStoreReleaseLong(outRing, slot + tagOffset(outStride), seq + 1); // smp_store_release(): the message before its tag
        long backSlot = (seq & (SLOTS - 1)) * backStride;
        while (!arrived(backRing, backSlot, backStride, seq)) {
            peer.checkAlive();
            Thread.onSpinWait();
        }
        MemorySegment.copy(backRing, backSlot, receive, 0, back - Long.BYTES);
        long value = receive.get(JAVA_LONG, 0);
        if (value != i) {
            errors++;
        }
        return value;
    }

    @Override
    public long errors() {
        return errors;
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
}
