package dev.qpair.memory;

import java.lang.foreign.MemorySegment;

/**
 * The caller-owned, reusable result of {@link KeyTable#lookup}: the status, and on {@link AccessStatus#OK}
 * a cursor over the pieces of memory the access covers. A direct region yields one piece; a page-list
 * region one per run of contiguous pages; an indirect region one per element (or element piece) the
 * access spans. Each piece is a base segment, a byte offset into it and a length, so a device
 * engine copies with {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}
 * and allocates nothing:
 *
 * <pre>{@code
 * if (table.lookup(rkey, addr, len, AccessFlags.REMOTE_WRITE, qpPd, t) == AccessStatus.OK) {
 *     long done = 0;
 *     while (t.next()) {
 *         MemorySegment.copy(payload, payloadOffset + done, t.segment(), t.offset(), t.length());
 *         done += t.length();
 *     }
 * }
 * }</pre>
 *
 * {@link #copyFrom} and {@link #copyTo} are that loop; {@link #copy(Translation, Translation)} copies
 * between two granted accesses (a local gather list and a remote key). One instance per engine thread: it is not
 * thread-safe. It holds the mapping it granted until the next lookup.
 *
 * <p>A lookup of the region the previous one granted stores no reference: the mapping and segment
 * fields are written only when they change. A reference store runs the GC's write barrier (with the
 * Parallel or Serial collector a byte store to the card table, one 64-byte line of which covers 32 KiB
 * of heap), so two threads translating through objects allocated near each other, the two QPs of a
 * ping-pong, would otherwise pass that line between their cores on every message. For the same
 * reason the fields sit between two 128-byte pads: every lookup stores to them, and the GC may put
 * any object next to this one.
 */
public final class Translation extends TranslationPadTail {

    /** The status of the last lookup; {@link AccessStatus#BAD_KEY} before the first. */
    public int status() {
        return status;
    }

    /** Whether the last lookup was granted. */
    public boolean isGranted() {
        return status == AccessStatus.OK;
    }

    /** Bytes granted by the last lookup (0 when refused, or for a zero-length access). */
    public long byteCount() {
        return byteCount;
    }

    /** The memory region granted by the last lookup; {@code null} when refused or zero-length. */
    public MemoryRegion memoryRegion() {
        return mapping == null ? null : mapping.mr;
    }

    /**
     * Moves to the next piece of the granted access.
     *
     * @return {@code false} when every granted byte has been handed out, or the lookup was refused
     */
    public boolean next() {
        if (remaining == 0) {
            offset = 0;
            length = 0;
            return false;
        }
        Mapping m = mapping;
        long len;
        MemorySegment seg;
        if (m.type == MrType.DIRECT) {
            seg = m.segment;
            offset = m.base + position;
            len = remaining;
        } else if (m.type == MrType.PAGE_LIST) {
            long pageSize = 1L << m.pageShift;
            long at = m.firstByteOffset + position;
            int page = (int) (at >>> m.pageShift);
            long inPage = at & (pageSize - 1);
            MemorySegment pageSeg = m.pageSegments[page];
            long off = m.pageOffsets[page];
            len = Math.min(remaining, pageSize - inPage);
            while (len < remaining && page + 1 < m.pageSegments.length
                    && m.pageSegments[page + 1] == pageSeg && m.pageOffsets[page + 1] == m.pageOffsets[page] + pageSize) {
                page++;
                len += Math.min(remaining - len, pageSize);
            }
            seg = pageSeg;
            offset = off + inPage;
        } else {
            int i = piece;
            long inPiece = position - m.pieceStarts[i];
            seg = m.pieceSegments[i];
            offset = m.pieceOffsets[i] + inPiece;
            len = Math.min(remaining, m.pieceLengths[i] - inPiece);
            piece = i + 1;
        }
        if (segment != seg) {
            segment = seg;
        }
        length = len;
        position += len;
        remaining -= len;
        return true;
    }

    /** The current piece's base segment (the whole registered memory, not a slice); meaningful after {@link #next()} returned {@code true}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The current piece's byte offset in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The current piece's length in bytes. */
    public long length() {
        return length;
    }

    /**
     * Copies the remaining granted bytes from {@code src}, starting at {@code srcOffset}, into the
     * region (a device write: RDMA WRITE, receive, READ response). Consumes the cursor.
     *
     * @return the bytes copied
     */
    public long copyFrom(MemorySegment src, long srcOffset) {
        long done = 0;
        while (next()) {
            MemorySegment.copy(src, srcOffset + done, segment, offset, length);
            done += length;
        }
        return done;
    }

    /**
     * Copies the remaining granted bytes out of the region into {@code dst}, starting at
     * {@code dstOffset} (a device read: gather for SEND, RDMA READ responder). Consumes the cursor.
     *
     * @return the bytes copied
     */
    public long copyTo(MemorySegment dst, long dstOffset) {
        long done = 0;
        while (next()) {
            MemorySegment.copy(segment, offset, dst, dstOffset + done, length);
            done += length;
        }
        return done;
    }

    /**
     * Copies from one granted access to another, both possibly in several pieces (a gather list
     * into an indirect rkey, say), chunk by chunk with {@link MemorySegment#copy(MemorySegment, long,
     * MemorySegment, long, long)}, allocating nothing. Stops when either side runs out, so a device
     * engine compares {@link #byteCount()}s first (a receive longer than its buffer is
     * {@code LOC_LEN_ERR}). Consumes both cursors.
     *
     * @return the bytes copied: the smaller of the two remaining lengths
     */
    public static long copy(Translation src, Translation dst) {
        MemorySegment srcSegment = null;
        long srcOffset = 0;
        long srcLeft = 0;
        MemorySegment dstSegment = null;
        long dstOffset = 0;
        long dstLeft = 0;
        long done = 0;
        while (true) {
            if (srcLeft == 0) {
                if (!src.next()) {
                    return done;
                }
                srcSegment = src.segment;
                srcOffset = src.offset;
                srcLeft = src.length;
            }
            if (dstLeft == 0) {
                if (!dst.next()) {
                    return done;
                }
                dstSegment = dst.segment;
                dstOffset = dst.offset;
                dstLeft = dst.length;
            }
            long n = Math.min(srcLeft, dstLeft);
            MemorySegment.copy(srcSegment, srcOffset, dstSegment, dstOffset, n);
            srcOffset += n;
            srcLeft -= n;
            dstOffset += n;
            dstLeft -= n;
            done += n;
        }
    }

    Mapping grantedMapping() {
        return mapping;
    }

    int refuse(int reason) {
        status = reason;
        mapping = null;
        byteCount = 0;
        position = 0;
        remaining = 0;
        piece = 0;
        segment = null;
        offset = 0;
        length = 0;
        return reason;
    }

    void grant(Mapping m, long start, long bytes, int firstPiece) {
        status = AccessStatus.OK;
        if (mapping != m) {
            mapping = m;
        }
        byteCount = bytes;
        position = start;
        remaining = bytes;
        piece = firstPiece;
        offset = 0;
        length = 0;
    }

    /** Whether the first piece is at least {@code bytes} long and its address is aligned to {@code bytes}; rewinds. */
    boolean firstPieceAligned(int bytes) {
        long savedPosition = position;
        long savedRemaining = remaining;
        int savedPiece = piece;
        boolean aligned = next() && length >= bytes && ((segment.address() + offset) & (bytes - 1)) == 0;
        position = savedPosition;
        remaining = savedRemaining;
        piece = savedPiece;
        offset = 0;
        length = 0;
        return aligned;
    }

    @Override
    public String toString() {
        return "Translation[" + AccessStatus.name(status) + ", byteCount=" + byteCount + ", remaining=" + remaining + "]";
    }
}

/** A line pair of padding, and a filler for the header's gap, before Translation's fields. */
abstract class TranslationPadHead {
    int f0;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** Translation's cursor, written by the one thread that looks up through it. */
abstract class TranslationFields extends TranslationPadHead {
    int status = AccessStatus.BAD_KEY;
    Mapping mapping;
    long byteCount;
    long position;
    long remaining;
    int piece;
    MemorySegment segment;
    long offset;
    long length;
}

/** A line pair of padding after Translation's fields. */
abstract class TranslationPadTail extends TranslationFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}
