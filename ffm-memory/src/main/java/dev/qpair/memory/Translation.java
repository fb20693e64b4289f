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
 * {@link #copyFrom} and {@link #copyTo} are that loop. One instance per engine thread: it is not
 * thread-safe. It holds the mapping it granted until the next lookup.
 */
public final class Translation {

    private int status = AccessStatus.BAD_KEY;
    private Mapping mapping;
    private long byteCount;
    private long position;
    private long remaining;
    private int piece;

    private MemorySegment segment;
    private long offset;
    private long length;

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
            segment = null;
            offset = 0;
            length = 0;
            return false;
        }
        Mapping m = mapping;
        long len;
        if (m.type == MrType.DIRECT) {
            segment = m.segment;
            offset = m.base + position;
            len = remaining;
        } else if (m.type == MrType.PAGE_LIST) {
            long pageSize = 1L << m.pageShift;
            long at = m.firstByteOffset + position;
            int page = (int) (at >>> m.pageShift);
            long inPage = at & (pageSize - 1);
            MemorySegment seg = m.pageSegments[page];
            long off = m.pageOffsets[page];
            len = Math.min(remaining, pageSize - inPage);
            while (len < remaining && page + 1 < m.pageSegments.length
                    && m.pageSegments[page + 1] == seg && m.pageOffsets[page + 1] == m.pageOffsets[page] + pageSize) {
                page++;
                len += Math.min(remaining - len, pageSize);
            }
            segment = seg;
            offset = off + inPage;
        } else {
            int i = piece;
            long inPiece = position - m.pieceStarts[i];
            segment = m.pieceSegments[i];
            offset = m.pieceOffsets[i] + inPiece;
            len = Math.min(remaining, m.pieceLengths[i] - inPiece);
            piece = i + 1;
        }
        length = len;
        position += len;
        remaining -= len;
        return true;
    }

    /** The current piece's base segment (the whole registered memory, not a slice). */
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
        mapping = m;
        byteCount = bytes;
        position = start;
        remaining = bytes;
        piece = firstPiece;
        segment = null;
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
        segment = null;
        offset = 0;
        length = 0;
        return aligned;
    }

    @Override
    public String toString() {
        return "Translation[" + AccessStatus.name(status) + ", byteCount=" + byteCount + ", remaining=" + remaining + "]";
    }
}
