package dev.qpair.rings.nvme;

/**
 * NVMe queue index math and doorbell placement. NVMe queues hold any number of entries from 2 to
 * CAP.MQES + 1 (not only powers of two); a queue is empty when head equals tail and full when
 * {@code tail + 1 == head} modulo the size, so a queue of {@code n} entries holds {@code n - 1}
 * commands. The phase tag a controller writes starts at 1 and inverts each time the CQ tail wraps.
 */
public final class NvmeQueues {

    /** Offset of the first doorbell in the controller register page. */
    public static final long DOORBELL_BASE = 0x1000;

    private NvmeQueues() {
    }

    /** The index after {@code index} in a queue of {@code size} entries. */
    public static int next(int index, int size) {
        int n = index + 1;
        return n == size ? 0 : n;
    }

    /** Whether a queue of {@code size} entries with these indices has no free slot. */
    public static boolean isFull(int head, int tail, int size) {
        return next(tail, size) == head;
    }

    /** Number of entries between head (inclusive) and tail (exclusive). */
    public static int used(int head, int tail, int size) {
        int d = tail - head;
        return d < 0 ? d + size : d;
    }

    /** The phase tag after the tail moves from {@code index}: inverted when it wraps to 0. */
    public static int phaseAfter(int index, int size, int phase) {
        return index + 1 == size ? phase ^ 1 : phase;
    }

    /**
     * Shadow doorbells: whether moving an index from {@code oldIndex} to {@code newIndex} passes
     * the controller's EventIdx, i.e. {@code eventIdx} lies in {@code [oldIndex, newIndex)} modulo
     * the queue size, so the host must also write the MMIO doorbell.
     */
    public static boolean needEvent(int eventIdx, int newIndex, int oldIndex, int size) {
        return used(oldIndex, eventIdx, size) < used(oldIndex, newIndex, size);
    }

    /** Doorbell stride in bytes for CAP.DSTRD. */
    public static long doorbellStride(int dstrd) {
        return 4L << dstrd;
    }

    /** Offset of SQyTDBL, the submission queue {@code qid} tail doorbell. */
    public static long sqTailDoorbell(int qid, int dstrd) {
        return DOORBELL_BASE + (2L * qid) * doorbellStride(dstrd);
    }

    /** Offset of CQyHDBL, the completion queue {@code qid} head doorbell. */
    public static long cqHeadDoorbell(int qid, int dstrd) {
        return DOORBELL_BASE + (2L * qid + 1) * doorbellStride(dstrd);
    }
}
