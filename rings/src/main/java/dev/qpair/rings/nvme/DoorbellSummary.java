package dev.qpair.rings.nvme;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The doorbell summary: a two-level bitmap in the register page (in the command-set-specific range
 * from 0xF00, this model's own registers) whose bit {@code qid} is set while the controller polls
 * submission queue {@code qid}. The controller visits only the queues whose bits are set, so a pass
 * costs in proportion to the active queues, not to the created ones.
 *
 * <p>Bit {@code qid} lives in word {@code qid / 64} at {@link #WORDS}; bit {@code w} of the word
 * at {@link #TOP} is set while word {@code w} may be nonzero. The controller keeps the bit of a
 * busy queue set, so the host's check after a doorbell finds it set and writes nothing; when a
 * queue has been idle for a while the controller clears its bit (park) and then reads the
 * doorbell once more. A host that rings a doorbell calls {@link #notify} after it: a full fence,
 * then a load of the bit, and only when it is clear an atomic OR. Either the host sees the cleared
 * bit and sets it, or the controller's re-read sees the doorbell (the EventIdx protocol's Dekker
 * shape), so no doorbell is lost. Doorbells written without the summary (a raw MMIO writer) are
 * found by the controller's periodic sweep of every created queue.
 */
public final class DoorbellSummary {

    /** Byte offset of the top-level word in the register page. */
    public static final long TOP = 0xF00;
    /** Byte offset of the first summary word. */
    public static final long WORDS = 0xF08;
    /** Summary words: queue identifiers 0 to {@code 64 * WORD_COUNT - 1}. */
    public static final int WORD_COUNT = 17;
    /** The largest queue identifier with a summary bit. */
    public static final int MAX_QID = 64 * WORD_COUNT - 1;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private DoorbellSummary() {
    }

    /** Byte offset of the summary word that holds {@code qid}'s bit. */
    public static long wordOffset(int qid) {
        return WORDS + ((long) (qid >>> 6) << 3);
    }

    /**
     * Host side, right after writing SQyTDBL of {@code qid}: makes sure the controller polls the
     * queue. Writes nothing while the controller already does.
     */
    public static void notify(MemorySegment bar, int qid) {
        if (qid < 0 || qid > MAX_QID) {
            return;
        }
        long bit = 1L << (qid & 63);
        long offset = wordOffset(qid);
        Barriers.mb(); // mb(): the doorbell store before the summary-bit load; pairs with the controller's clear-then-re-read in park
        if (((long) LONG.getOpaque(bar, offset) & bit) != 0) { // READ_ONCE(): the bit the controller keeps set while it polls
            return;
        }
        set(bar, qid);
    }

    /**
     * Sets {@code qid}'s bit, and the top-level bit of its word when the word was empty.
     *
     * @return whether the bit was clear before
     */
    public static boolean set(MemorySegment bar, int qid) {
        long bit = 1L << (qid & 63);
        long before = (long) LONG.getAndBitwiseOr(bar, wordOffset(qid), bit); // atomic_fetch_or(): fully ordered; publishes the bit after the caller's doorbell store
        if (before == 0) {
            LONG.getAndBitwiseOr(bar, TOP, 1L << (qid >>> 6)); // atomic_fetch_or(): the top-level bit after the word is nonzero
        }
        return (before & bit) == 0;
    }

    /**
     * Controller side: clears {@code qid}'s bit, and the top-level bit when the word emptied (then
     * re-checks the word, so that a bit a host set meanwhile keeps its top-level bit). The atomic
     * clear is a full fence: the caller's doorbell re-read after it pairs with {@link #notify}.
     */
    public static void clear(MemorySegment bar, int qid) {
        long bit = 1L << (qid & 63);
        long offset = wordOffset(qid);
        long before = (long) LONG.getAndBitwiseAnd(bar, offset, ~bit); // atomic_fetch_andnot(): fully ordered, before the caller's doorbell re-read
        if ((before & ~bit) == 0) {
            long top = 1L << (qid >>> 6);
            LONG.getAndBitwiseAnd(bar, TOP, ~top); // atomic_fetch_andnot(): fully ordered; the word is empty
            if ((long) LONG.getVolatile(bar, offset) != 0) { // READ_ONCE() after the full barrier: a bit a host set between our two clears
                LONG.getAndBitwiseOr(bar, TOP, top); // atomic_fetch_or(): restore the top-level bit for it
            }
        }
    }

    /** Whether {@code qid}'s bit is set. */
    public static boolean isSet(MemorySegment bar, int qid) {
        return qid >= 0 && qid <= MAX_QID && ((long) LONG.getAcquire(bar, wordOffset(qid)) & 1L << (qid & 63)) != 0; // smp_load_acquire(): as word()
    }

    /**
     * Controller side: clears top-level bit {@code w} when its word reads empty, then re-checks the
     * word as {@link #clear} does.
     */
    public static void tidy(MemorySegment bar, int w) {
        long top = 1L << w;
        LONG.getAndBitwiseAnd(bar, TOP, ~top); // atomic_fetch_andnot(): fully ordered; the word read empty
        if ((long) LONG.getVolatile(bar, WORDS + ((long) w << 3)) != 0) { // READ_ONCE() after the full barrier: a bit set meanwhile
            LONG.getAndBitwiseOr(bar, TOP, top); // atomic_fetch_or(): restore the top-level bit for it
        }
    }

    /** Controller side: the top-level word. */
    public static long top(MemorySegment bar) {
        return (long) LONG.getAcquire(bar, TOP); // smp_load_acquire(): the words' bits after the top-level bit that announced them
    }

    /** Controller side: summary word {@code w}. */
    public static long word(MemorySegment bar, int w) {
        return (long) LONG.getAcquire(bar, WORDS + ((long) w << 3)); // smp_load_acquire(): the doorbell stores before the bit that announced them
    }

    /** Controller side, at reset: clears the whole summary. */
    public static void reset(MemorySegment bar) {
        for (int w = 0; w < WORD_COUNT; w++) {
            LONG.setRelease(bar, WORDS + ((long) w << 3), 0L); // smp_store_release(): cleared before the reset is reported
        }
        LONG.setRelease(bar, TOP, 0L); // smp_store_release(): as above
    }
}
