package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Mmio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;

/**
 * A doorbell page (UAR-like): the register page through which the host tells the device that a
 * send queue has new WQEs. A 4096-byte page holds {@link #REGISTERS_PER_PAGE} register blocks of
 * 512 bytes; a QP is assigned one block of one page.
 *
 * <pre>
 *   block offset  size  field
 *   0             8     doorbell   qpn, send producer index and BlueFlame block count ({@link #doorbellValue})
 *   128           256   blueflame  a copy of the WQE(s) just posted, up to {@link #BLUEFLAME_BLOCKS} basic blocks
 *   512                 (block size)
 * </pre>
 *
 * <p><b>Doorbell value.</b> Bits 0-31: the free-running send producer index (basic blocks);
 * bits 32-55: the QPN; bits 56-63: how many basic blocks the BlueFlame region holds, ending at that
 * producer index (0: none, read the ring).
 *
 * <p><b>BlueFlame.</b> As on mlx5, a poster may copy a small WQE into the register block with the
 * doorbell so the device need not fetch it from the ring: one write carries the work. The WQE is
 * still written into the ring and the doorbell record first, and the ring stays authoritative.
 * The copy is plain stores, so a later post to the same register can overwrite it while the device
 * reads it, and a torn copy can still carry a matching control segment. The copy is therefore
 * safe to use only where no post to that register runs concurrently with the device's read, as in
 * the inline device mode (the engine runs in the posting thread, after the post). A dedicated
 * device thread takes its doorbells, and their BlueFlame copies, from a {@link DoorbellQueue},
 * whose slots are not reused before the device releases them.
 *
 * <p>Ordering: {@link #ring} and {@link #ringBlueFlame} write the doorbell with {@code writeq()}:
 * every earlier store (WQEs, doorbell record, BlueFlame copy) is visible before it. The device
 * reads it with {@link #readDoorbell} ({@code readq()}). Register indices are validated; value
 * decoders never throw.
 */
public final class DoorbellPage {

    /** Size of a doorbell page. */
    public static final int PAGE_SIZE = 4096;
    /** Size of one register block. */
    public static final int REGISTER_BLOCK_SIZE = 512;
    /** Register blocks per page. */
    public static final int REGISTERS_PER_PAGE = PAGE_SIZE / REGISTER_BLOCK_SIZE;
    /** The most basic blocks a BlueFlame write carries. */
    public static final int BLUEFLAME_BLOCKS = 4;
    /** The largest QPN a doorbell value carries, exclusive: QPNs are 24 bits. */
    public static final int QPN_LIMIT = 1 << 24;

    /** One register block, 512 bytes. */
    public static final StructLayout REGISTER_BLOCK = structLayout(
            JAVA_LONG.withName("doorbell"),
            paddingLayout(120),
            sequenceLayout(BLUEFLAME_BLOCKS * SendWqe.BASIC_BLOCK_SIZE, JAVA_BYTE).withName("blueflame"),
            paddingLayout(128)).withName("doorbell_register_block");

    /** A doorbell page, 4096 bytes. */
    public static final SequenceLayout LAYOUT = sequenceLayout(REGISTERS_PER_PAGE, REGISTER_BLOCK).withName("doorbell_page");

    /** Offset of the doorbell register in a block. */
    public static final long DOORBELL_OFFSET = REGISTER_BLOCK.byteOffset(groupElement("doorbell"));
    /** Offset of the BlueFlame region in a block. */
    public static final long BLUEFLAME_OFFSET = REGISTER_BLOCK.byteOffset(groupElement("blueflame"));
    /** Size of the BlueFlame region. */
    public static final int BLUEFLAME_SIZE = BLUEFLAME_BLOCKS * SendWqe.BASIC_BLOCK_SIZE;

    private DoorbellPage() {
    }

    /** A zeroed doorbell page from {@code arena}, page aligned. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(PAGE_SIZE, PAGE_SIZE);
    }

    /**
     * Byte offset in the page of register block {@code register}'s doorbell.
     *
     * @throws IllegalArgumentException naming register, its value and the limit
     */
    public static long doorbellOffset(int register) {
        return blockOffset(register) + DOORBELL_OFFSET;
    }

    /**
     * Byte offset in the page of register block {@code register}'s BlueFlame region.
     *
     * @throws IllegalArgumentException naming register, its value and the limit
     */
    public static long blueFlameOffset(int register) {
        return blockOffset(register) + BLUEFLAME_OFFSET;
    }

    private static long blockOffset(int register) {
        if (register < 0 || register >= REGISTERS_PER_PAGE) {
            throw new IllegalArgumentException("register is " + register + ": a doorbell page has registers [0, "
                    + (REGISTERS_PER_PAGE - 1) + "]");
        }
        return (long) register * REGISTER_BLOCK_SIZE;
    }

    /**
     * Encodes a doorbell value.
     *
     * @throws IllegalArgumentException naming qpn or blueFlameBlocks, the value and the limit
     */
    public static long doorbellValue(int qpn, int producerIndex, int blueFlameBlocks) {
        if (qpn < 0 || qpn >= QPN_LIMIT) {
            throw new IllegalArgumentException("qpn is " + qpn + ": it must be in [0, " + (QPN_LIMIT - 1) + "]");
        }
        checkBlueFlameBlocks(blueFlameBlocks, 0);
        return ((long) blueFlameBlocks << 56) | ((long) qpn << 32) | (producerIndex & 0xffff_ffffL);
    }

    /** The send producer index a doorbell value carries. */
    public static int producerIndexOf(long doorbell) {
        return (int) doorbell;
    }

    /** The QPN a doorbell value carries. */
    public static int qpnOf(long doorbell) {
        return (int) (doorbell >>> 32) & (QPN_LIMIT - 1);
    }

    /** The BlueFlame block count a doorbell value carries, as written (the device bounds it by {@link #BLUEFLAME_BLOCKS}). */
    public static int blueFlameBlocksOf(long doorbell) {
        return (int) (doorbell >>> 56);
    }

    /** Host: rings {@code register}'s doorbell with {@code writeq()}: every earlier store before it. */
    public static void ring(MemorySegment page, int register, long doorbell) {
        Mmio.writeq(page, doorbellOffset(register), doorbell); // writeq(): WQE and doorbell-record stores before the doorbell
    }

    /**
     * Host: copies the {@code blocks} basic blocks of the WQE at {@code wqe}'s position (wrapping
     * at the ring's end) into {@code register}'s BlueFlame region, then rings the doorbell with
     * {@code writeq()}, whose value must say {@code blocks}.
     *
     * @throws IllegalArgumentException naming blocks, its value and {@link #BLUEFLAME_BLOCKS}, or a
     *         doorbell value whose block count differs
     */
    public static void ringBlueFlame(MemorySegment page, int register, SendWqe wqe, int blocks, long doorbell) {
        checkBlueFlameBlocks(blocks, 1);
        if (blueFlameBlocksOf(doorbell) != blocks) {
            throw new IllegalArgumentException("doorbell value carries " + blueFlameBlocksOf(doorbell)
                    + " BlueFlame blocks but blocks is " + blocks);
        }
        long bf = blueFlameOffset(register);
        MemorySegment ring = wqe.ring();
        long ringSize = ring.byteSize();
        long from = wqe.offset();
        for (int b = 0; b < blocks; b++) {
            MemorySegment.copy(ring, from, page, bf + (long) b * SendWqe.BASIC_BLOCK_SIZE, SendWqe.BASIC_BLOCK_SIZE);
            from = (from + SendWqe.BASIC_BLOCK_SIZE) & (ringSize - 1);
        }
        Mmio.writeq(page, doorbellOffset(register), doorbell); // writeq(): BlueFlame copy and ring stores before the doorbell
    }

    /** Device: reads {@code register}'s doorbell with {@code readq()}: this load before later loads. */
    public static long readDoorbell(MemorySegment page, int register) {
        return Mmio.readq(page, doorbellOffset(register)); // readq(): doorbell load before the WQE and BlueFlame loads
    }

    /** Device: {@code register}'s BlueFlame region, for a {@link SendWqe} flyweight to read (a new slice: take it once, at setup). */
    public static MemorySegment blueFlame(MemorySegment page, int register) {
        return page.asSlice(blueFlameOffset(register), BLUEFLAME_SIZE);
    }

    private static void checkBlueFlameBlocks(int blocks, int min) {
        if (blocks < min || blocks > BLUEFLAME_BLOCKS) {
            throw new IllegalArgumentException("blueFlameBlocks is " + blocks + ": it must be in [" + min + ", "
                    + BLUEFLAME_BLOCKS + "]");
        }
    }
}
