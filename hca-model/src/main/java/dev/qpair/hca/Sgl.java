package dev.qpair.hca;

import dev.qpair.memory.AccessStatus;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.memory.Translation;
import dev.qpair.rings.RecvWqe;
import dev.qpair.rings.SendWqe;
import java.lang.foreign.MemorySegment;

/**
 * The engine's cursor over the memory one side of an operation touches: the data segments of a
 * send WQE, of a receive WQE (read in place in its ring), one (key, address, length) range named by an rkey, or raw bytes
 * (inline data in the send ring, wrapping at its end). Every keyed element goes through
 * {@code KeyTable.lookup} with the access and PD given; {@link #copy} moves bytes between two
 * cursors piece by piece. Reused by one engine task at a time; allocates nothing, and stores a
 * reference only when it changes (see {@code Translation}: a reference store runs the GC's card-table
 * write barrier, whose line two threads' cursors would share). Its fields sit between two 128-byte
 * pads, as {@code Translation}'s do.
 */
final class Sgl extends SglPadTail {

    private static final int SEND_SGES = 0;
    private static final int RECV_SGES = 1;
    private static final int RANGE = 2;
    private static final int RAW = 3;

    Sgl sendSges(SendWqe wqe, int numSge, int access, ProtectionDomain pd) {
        this.kind = SEND_SGES;
        if (sendWqe != wqe) {
            sendWqe = wqe;
        }
        this.count = numSge;
        this.access = access;
        pd(pd);
        return rewind();
    }

    /** The data segments of the receive WQE at byte {@code slot} of {@code ring}. */
    Sgl recvSges(MemorySegment ring, long slot, int numSge, int access, ProtectionDomain pd) {
        this.kind = RECV_SGES;
        if (recvRing != ring) {
            recvRing = ring;
        }
        this.recvSlot = slot;
        this.count = numSge;
        this.access = access;
        pd(pd);
        return rewind();
    }

    Sgl range(int key, long addr, long length, int access, ProtectionDomain pd) {
        this.kind = RANGE;
        this.rangeKey = key;
        this.rangeAddr = addr;
        this.rangeLength = length;
        this.count = 1;
        this.access = access;
        pd(pd);
        return rewind();
    }

    private void pd(ProtectionDomain domain) {
        if (pd != domain) {
            pd = domain;
        }
    }

    private void seg(MemorySegment segment) {
        if (seg != segment) {
            seg = segment;
        }
    }

    /** Raw bytes: {@code length} at {@code offset} of {@code segment}, wrapping at its end (a ring). */
    Sgl raw(MemorySegment segment, long offset, long length) {
        this.kind = RAW;
        if (raw != segment) {
            raw = segment;
        }
        this.rawOffset = offset;
        this.rawLength = length;
        this.count = 2;
        return rewind();
    }

    Sgl rewind() {
        element = 0;
        rem = 0;
        refusal = AccessStatus.OK;
        return this;
    }

    /**
     * Looks every element up without copying. A one-element list keeps its lookup for the copy
     * that follows (the same key, address, length and access would be looked up again); a longer
     * one rewinds and looks each element up again as the copy reaches it.
     *
     * @return the total length, or {@code -1 - status} for the first refused element's {@link AccessStatus}
     */
    long validate() {
        long total = 0;
        for (int i = 0; i < count; i++) {
            if (kind == RAW) {
                return rawLength;
            }
            long len = length(i);
            if (len < 0) {
                return -1 - AccessStatus.OUT_OF_BOUNDS;
            }
            int st = lookup(i);
            if (st != AccessStatus.OK) {
                return -1 - st;
            }
            total += len;
        }
        if (count == 1) {
            element = 1;
        } else {
            rewind();
        }
        return total;
    }

    private long length(int i) {
        return switch (kind) {
            case SEND_SGES -> sendWqe.sgeLength(i) & 0xffff_ffffL;
            case RECV_SGES -> RecvWqe.sgeLengthAt(recvRing, recvSlot, i) & 0xffff_ffffL;
            default -> rangeLength;
        };
    }

    private int lookup(int i) {
        return switch (kind) {
            case SEND_SGES -> pd.table().lookup(sendWqe.sgeLkey(i), sendWqe.sgeAddress(i), sendWqe.sgeLength(i) & 0xffff_ffffL, access, pd, t);
            case RECV_SGES -> pd.table().lookup(RecvWqe.sgeLkeyAt(recvRing, recvSlot, i), RecvWqe.sgeAddressAt(recvRing, recvSlot, i),
                    RecvWqe.sgeLengthAt(recvRing, recvSlot, i) & 0xffff_ffffL, access, pd, t);
            default -> pd.table().lookup(rangeKey, rangeAddr, rangeLength, access, pd, t);
        };
    }

    /** Loads the next piece; {@code false} at the end, or on a refusal ({@link #refusal()}). */
    private boolean nextPiece() {
        if (kind == RAW) {
            long size = raw.byteSize();
            if (element == 0) {
                element = 1;
                seg(raw);
                off = rawOffset;
                rem = Math.min(rawLength, size - rawOffset);
                if (rem > 0) {
                    return true;
                }
            }
            if (element == 1) {
                element = 2;
                seg(raw);
                off = 0;
                rem = rawLength - Math.min(rawLength, size - rawOffset);
                return rem > 0;
            }
            return false;
        }
        for (;;) {
            if (element > 0 && t.next()) { // before the first element's lookup, t still holds the previous use's pieces
                seg(t.segment());
                off = t.offset();
                rem = t.length();
                return true;
            }
            if (element == count) {
                return false;
            }
            int st = lookup(element++);
            if (st != AccessStatus.OK) {
                refusal = st;
                return false;
            }
        }
    }

    /**
     * Copies {@code length} bytes from this cursor into {@code dst} at {@code dstOffset} (raw
     * bytes: at most two copies, around the ring's end).
     *
     * @return {@link AccessStatus#OK}, or the refusal met on the way, or {@link AccessStatus#OUT_OF_BOUNDS} when this side ran short
     */
    int copyTo(MemorySegment dst, long dstOffset, long length) {
        if (kind == RAW) {
            if (length > rawLength) {
                return AccessStatus.OUT_OF_BOUNDS;
            }
            long first = Math.min(length, raw.byteSize() - rawOffset);
            MemorySegment.copy(raw, rawOffset, dst, dstOffset, first);
            if (length > first) {
                MemorySegment.copy(raw, 0, dst, dstOffset + first, length - first);
            }
            return AccessStatus.OK;
        }
        long done = 0;
        while (done < length) {
            if (rem == 0 && !nextPiece()) {
                return refusal != AccessStatus.OK ? refusal : AccessStatus.OUT_OF_BOUNDS;
            }
            long n = Math.min(length - done, rem);
            MemorySegment.copy(seg, off, dst, dstOffset + done, n);
            off += n;
            rem -= n;
            done += n;
        }
        return AccessStatus.OK;
    }

    int refusal() {
        return refusal;
    }

    /** The memory segment and offset of the first piece (for an 8-byte atomic target); {@code null} if none. */
    MemorySegment firstSegment() {
        return rem > 0 || nextPiece() ? seg : null;
    }

    long firstOffset() {
        return off;
    }

    /**
     * Copies {@code length} bytes from {@code src}'s cursor to {@code dst}'s.
     *
     * @return {@link AccessStatus#OK}, or the refusal met on the way, or {@link AccessStatus#OUT_OF_BOUNDS} when a side ran short
     */
    static int copy(Sgl src, Sgl dst, long length) {
        long done = 0;
        while (done < length) {
            if (src.rem == 0 && !src.nextPiece()) {
                return src.refusal != AccessStatus.OK ? src.refusal : AccessStatus.OUT_OF_BOUNDS;
            }
            if (dst.rem == 0 && !dst.nextPiece()) {
                return dst.refusal != AccessStatus.OK ? dst.refusal : AccessStatus.OUT_OF_BOUNDS;
            }
            long n = Math.min(length - done, Math.min(src.rem, dst.rem));
            MemorySegment.copy(src.seg, src.off, dst.seg, dst.off, n);
            src.off += n;
            src.rem -= n;
            dst.off += n;
            dst.rem -= n;
            done += n;
        }
        return AccessStatus.OK;
    }
}

/** A line pair of padding, and a filler for the header's gap, before Sgl's fields. */
abstract class SglPadHead {
    int f0;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** The cursor's state, written by the one engine task that uses it. */
abstract class SglFields extends SglPadHead {
    int kind;
    SendWqe sendWqe;
    MemorySegment recvRing;
    long recvSlot;
    int count;
    int access;
    ProtectionDomain pd;
    int rangeKey;
    long rangeAddr;
    long rangeLength;
    MemorySegment raw;
    long rawOffset;
    long rawLength;
    final Translation t = new Translation();
    int element;
    MemorySegment seg;
    long off;
    long rem;
    int refusal;
}

/** A line pair of padding after Sgl's fields. */
abstract class SglPadTail extends SglFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}
