package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * A QP's doorbell record: the receive and send producer indices, in host memory that the device
 * reads, each alone on its own 128-byte line (the host writes both; the device reads them from
 * different engine paths, and 128 bytes keeps adjacent-line prefetch from pairing them).
 *
 * <pre>
 *   offset  size  field
 *   0       4     recv_producer  free-running count of receive WQEs posted
 *   128     4     send_producer  free-running count of send-ring basic blocks posted
 *   256           (size)
 * </pre>
 *
 * <p>Protocol (DESIGN.md, hop 1): the host writes WQEs with plain stores, then publishes the new
 * producer index with {@code ...Release}; the device reads it with {@code ...Acquire} and only then
 * reads the WQEs below it. One acquire read covers every WQE below the index, so the device reads
 * the receive producer index only when the receives it already knows of run out, and then takes
 * all the new ones as a batch. The record must be 128-byte aligned and 256 bytes long: take it from
 * {@link #allocate}, or pass a segment from elsewhere through {@link #check} once when the queue pair
 * is created. The per-post accessors do not check again (every post would pay for it); a record
 * shorter than an index offset still fails there with the FFM exception naming the offset.
 */
public final class DoorbellRecord {

    /** The doorbell record, 256 bytes. */
    public static final StructLayout LAYOUT = structLayout(
            JAVA_INT.withName("recv_producer"),
            paddingLayout(124),
            JAVA_INT.withName("send_producer"),
            paddingLayout(124)).withName("qp_doorbell_record");

    /** Alignment a doorbell record needs. */
    public static final long ALIGNMENT = 128;
    /** Byte offset of the receive producer index. */
    public static final long RECV_PRODUCER_OFFSET = LAYOUT.byteOffset(groupElement("recv_producer"));
    /** Byte offset of the send producer index. */
    public static final long SEND_PRODUCER_OFFSET = LAYOUT.byteOffset(groupElement("send_producer"));

    private DoorbellRecord() {
    }

    /** A zeroed doorbell record from {@code arena}, 128-byte aligned. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT.byteSize(), ALIGNMENT);
    }

    /**
     * Checks that {@code record} can serve as a doorbell record: 128-byte aligned, so that each index
     * sits alone on its line, and at least {@link #LAYOUT}'s 256 bytes long.
     *
     * @return {@code record}
     * @throws IllegalArgumentException naming the address or the size and the requirement
     */
    public static MemorySegment check(MemorySegment record) {
        if (record.address() % ALIGNMENT != 0) {
            throw new IllegalArgumentException(String.format(
                    "doorbell record at 0x%x is not %d-byte aligned: each producer index needs a line of its own",
                    record.address(), ALIGNMENT));
        }
        if (record.byteSize() < LAYOUT.byteSize()) {
            throw new IllegalArgumentException("doorbell record is " + record.byteSize() + " bytes: it needs at least "
                    + LAYOUT.byteSize());
        }
        return record;
    }

    /** Host: publishes the send producer index; every earlier store (the WQEs) is visible first. */
    public static void publishSendProducerRelease(MemorySegment record, int producer) {
        Barriers.smpStoreReleaseInt(record, SEND_PRODUCER_OFFSET, producer); // dma_wmb(): WQE stores before the producer index
    }

    /** Device: reads the send producer index; later loads (the WQEs) see what the host wrote before it. */
    public static int sendProducerAcquire(MemorySegment record) {
        return Barriers.smpLoadAcquireInt(record, SEND_PRODUCER_OFFSET); // smp_load_acquire(): index before the WQE loads
    }

    /** Host: publishes the receive producer index; every earlier store (the WQEs) is visible first. */
    public static void publishRecvProducerRelease(MemorySegment record, int producer) {
        Barriers.smpStoreReleaseInt(record, RECV_PRODUCER_OFFSET, producer); // dma_wmb(): WQE stores before the producer index
    }

    /** Device: reads the receive producer index; later loads (the WQEs) see what the host wrote before it. */
    public static int recvProducerAcquire(MemorySegment record) {
        return Barriers.smpLoadAcquireInt(record, RECV_PRODUCER_OFFSET); // smp_load_acquire(): index before the WQE loads
    }
}
