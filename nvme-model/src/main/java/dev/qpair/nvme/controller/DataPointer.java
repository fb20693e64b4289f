package dev.qpair.nvme.controller;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.nvme.DmaMap;
import dev.qpair.nvme.NvmeRegs;
import dev.qpair.nvme.NvmeStatus;
import dev.qpair.rings.nvme.NvmeSqe;
import java.lang.foreign.MemorySegment;

/**
 * Moves a command's data between controller-side memory and the host buffers its data pointer
 * (PRP1/PRP2 with PRP lists, or SGL1 with segments) describes. Every host address, including those
 * of PRP lists and SGL segments, is translated through the {@link DmaMap}; the whole pointer is
 * walked once, each chunk translated and recorded, before the first byte moves, so a bad entry
 * anywhere fails the command without a partial transfer. A transfer inside PRP1's page (a 4 KiB
 * I/O into an aligned buffer) takes a fast path with one translation. Allocates nothing.
 */
final class DataPointer {

    /** Bound on SGL descriptors per command (data blocks and segment pointers). */
    static final int MAX_SGL_DESCRIPTORS = 256;

    private static final int PAGE = NvmeRegs.PAGE_SIZE;
    private static final long PAGE_MASK = PAGE - 1;
    /** Chunks one pointer can name: MDTS pages plus a first partial page, or the SGL descriptor bound. */
    private static final int MAX_CHUNKS = MAX_SGL_DESCRIPTORS;

    private final DmaMap dma;
    private final MemorySegment[] chunkHost = new MemorySegment[MAX_CHUNKS];
    private final long[] chunkHostOffset = new long[MAX_CHUNKS];
    private final long[] chunkLength = new long[MAX_CHUNKS];
    private int chunks;

    DataPointer(DmaMap dma) {
        this.dma = dma;
    }

    /** Copies {@code len} bytes from {@code dev} at {@code devOff} to the host buffers of the SQE. */
    int toHost(MemorySegment sq, long e, MemorySegment dev, long devOff, long len) {
        if (NvmeSqe.psdt(sq, e) == NvmeSqe.PSDT_PRP) {
            long prp1 = NvmeSqe.prp1(sq, e);
            if ((prp1 & 3) == 0 && len <= PAGE - (prp1 & PAGE_MASK)) {
                MemorySegment host = dma.segmentFor(prp1, len);
                if (host == null) {
                    return NvmeStatus.DATA_TRANSFER_ERROR;
                }
                MemorySegment.copy(dev, devOff, host, prp1 - host.address(), len);
                return NvmeStatus.SUCCESS;
            }
        }
        int status = walk(sq, e, len);
        if (status != NvmeStatus.SUCCESS) {
            return status;
        }
        long at = devOff;
        for (int i = 0; i < chunks; i++) {
            MemorySegment.copy(dev, at, chunkHost[i], chunkHostOffset[i], chunkLength[i]);
            at += chunkLength[i];
            chunkHost[i] = null;
        }
        return NvmeStatus.SUCCESS;
    }

    /** Copies {@code len} bytes from the host buffers of the SQE to {@code dev} at {@code devOff}. */
    int fromHost(MemorySegment sq, long e, MemorySegment dev, long devOff, long len) {
        if (NvmeSqe.psdt(sq, e) == NvmeSqe.PSDT_PRP) {
            long prp1 = NvmeSqe.prp1(sq, e);
            if ((prp1 & 3) == 0 && len <= PAGE - (prp1 & PAGE_MASK)) {
                MemorySegment host = dma.segmentFor(prp1, len);
                if (host == null) {
                    return NvmeStatus.DATA_TRANSFER_ERROR;
                }
                MemorySegment.copy(host, prp1 - host.address(), dev, devOff, len);
                return NvmeStatus.SUCCESS;
            }
        }
        int status = walk(sq, e, len);
        if (status != NvmeStatus.SUCCESS) {
            return status;
        }
        long at = devOff;
        for (int i = 0; i < chunks; i++) {
            MemorySegment.copy(chunkHost[i], chunkHostOffset[i], dev, at, chunkLength[i]);
            at += chunkLength[i];
            chunkHost[i] = null;
        }
        return NvmeStatus.SUCCESS;
    }

    /**
     * Walks the data pointer once, translating every chunk into {@code chunkHost}/{@code
     * chunkHostOffset}/{@code chunkLength}; on failure nothing is recorded and no byte has moved.
     */
    private int walk(MemorySegment sq, long e, long len) {
        chunks = 0;
        int status = walkPointer(sq, e, len);
        if (status != NvmeStatus.SUCCESS) {
            for (int i = 0; i < chunks; i++) {
                chunkHost[i] = null;
            }
            chunks = 0;
        }
        return status;
    }

    private int walkPointer(MemorySegment sq, long e, long len) {
        int psdt = NvmeSqe.psdt(sq, e);
        if (psdt == NvmeSqe.PSDT_PRP) {
            return walkPrp(NvmeSqe.prp1(sq, e), NvmeSqe.prp2(sq, e), len);
        }
        if (psdt == NvmeSqe.PSDT_SGL_MPTR_CONTIGUOUS) {
            return walkSgl(NvmeSqe.sgl1Address(sq, e), NvmeSqe.sgl1Length(sq, e), NvmeSqe.sgl1Identifier(sq, e), len);
        }
        return NvmeStatus.INVALID_FIELD;
    }

    private int walkPrp(long prp1, long prp2, long len) {
        if ((prp1 & 3) != 0) {
            return NvmeStatus.PRP_OFFSET_INVALID;
        }
        long first = Math.min(len, PAGE - (prp1 & PAGE_MASK));
        int status = chunk(prp1, first);
        if (status != NvmeStatus.SUCCESS) {
            return status;
        }
        long remaining = len - first;
        if (remaining == 0) {
            return NvmeStatus.SUCCESS;
        }
        if (remaining <= PAGE) {
            return (prp2 & PAGE_MASK) != 0 ? NvmeStatus.PRP_OFFSET_INVALID : chunk(prp2, remaining);
        }
        if ((prp2 & 7) != 0) {
            return NvmeStatus.PRP_OFFSET_INVALID;
        }
        long list = prp2;
        while (remaining > 0) {
            long pagesLeft = (remaining + PAGE_MASK) / PAGE;
            int entries = (int) Math.min((PAGE - (list & PAGE_MASK)) >>> 3, pagesLeft);
            MemorySegment listMem = dma.segmentFor(list, (long) entries << 3);
            if (listMem == null) {
                return NvmeStatus.DATA_TRANSFER_ERROR;
            }
            long at = list - listMem.address();
            long next = -1;
            for (int i = 0; i < entries && remaining > 0; i++) {
                long entry = listMem.get(JAVA_LONG, at + ((long) i << 3));
                if ((entry & PAGE_MASK) != 0) {
                    return NvmeStatus.PRP_OFFSET_INVALID;
                }
                if (i == entries - 1 && remaining > PAGE) {
                    next = entry;
                    break;
                }
                long n = Math.min(remaining, PAGE);
                status = chunk(entry, n);
                if (status != NvmeStatus.SUCCESS) {
                    return status;
                }
                remaining -= n;
            }
            list = next;
        }
        return NvmeStatus.SUCCESS;
    }

    private int walkSgl(long address, int length, int identifier, long len) {
        int type = identifier >>> 4;
        if ((identifier & 0xF) != 0) {
            return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID;
        }
        if (type == NvmeSqe.SGL_TYPE_DATA_BLOCK) {
            return Integer.toUnsignedLong(length) != len ? NvmeStatus.DATA_SGL_LENGTH_INVALID : chunk(address, len);
        }
        if (type != NvmeSqe.SGL_TYPE_SEGMENT && type != NvmeSqe.SGL_TYPE_LAST_SEGMENT) {
            return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID;
        }
        long done = 0;
        int descriptors = 1;
        long segment = address;
        long segmentLength = Integer.toUnsignedLong(length);
        int segmentType = type;
        while (true) {
            if (segmentLength == 0 || segmentLength % NvmeSqe.SGL_DESCRIPTOR_SIZE != 0) {
                return NvmeStatus.INVALID_SGL_SEGMENT_DESCRIPTOR;
            }
            MemorySegment list = dma.segmentFor(segment, segmentLength);
            if (list == null) {
                return NvmeStatus.DATA_TRANSFER_ERROR;
            }
            long base = segment - list.address();
            int count = (int) (segmentLength / NvmeSqe.SGL_DESCRIPTOR_SIZE);
            long nextAddress = 0;
            long nextLength = 0;
            int nextType = -1;
            for (int i = 0; i < count; i++) {
                if (++descriptors > MAX_SGL_DESCRIPTORS) {
                    return NvmeStatus.INVALID_NUMBER_OF_SGL_DESCRIPTORS;
                }
                long d = base + (long) i * NvmeSqe.SGL_DESCRIPTOR_SIZE;
                int id = NvmeSqe.sglIdentifier(list, d);
                int t = id >>> 4;
                if ((id & 0xF) != 0) {
                    return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID;
                }
                long dAddress = NvmeSqe.sglAddress(list, d);
                long dLength = Integer.toUnsignedLong(NvmeSqe.sglLength(list, d));
                if (t == NvmeSqe.SGL_TYPE_DATA_BLOCK) {
                    if (dLength > len - done) {
                        return NvmeStatus.DATA_SGL_LENGTH_INVALID;
                    }
                    int status = chunk(dAddress, dLength);
                    if (status != NvmeStatus.SUCCESS) {
                        return status;
                    }
                    done += dLength;
                } else if ((t == NvmeSqe.SGL_TYPE_SEGMENT || t == NvmeSqe.SGL_TYPE_LAST_SEGMENT)
                        && i == count - 1 && segmentType == NvmeSqe.SGL_TYPE_SEGMENT) {
                    nextAddress = dAddress;
                    nextLength = dLength;
                    nextType = t;
                } else if (t == NvmeSqe.SGL_TYPE_SEGMENT || t == NvmeSqe.SGL_TYPE_LAST_SEGMENT) {
                    return NvmeStatus.INVALID_SGL_SEGMENT_DESCRIPTOR;
                } else {
                    return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID;
                }
            }
            if (segmentType == NvmeSqe.SGL_TYPE_LAST_SEGMENT) {
                break;
            }
            if (nextType < 0) {
                return NvmeStatus.INVALID_SGL_SEGMENT_DESCRIPTOR;
            }
            segment = nextAddress;
            segmentLength = nextLength;
            segmentType = nextType;
        }
        return done != len ? NvmeStatus.DATA_SGL_LENGTH_INVALID : NvmeStatus.SUCCESS;
    }

    private int chunk(long address, long length) {
        if (length == 0) {
            return NvmeStatus.SUCCESS;
        }
        MemorySegment host = dma.segmentFor(address, length);
        if (host == null) {
            return NvmeStatus.DATA_TRANSFER_ERROR;
        }
        if (chunks == MAX_CHUNKS) {
            return NvmeStatus.INVALID_NUMBER_OF_SGL_DESCRIPTORS;
        }
        chunkHost[chunks] = host;
        chunkHostOffset[chunks] = address - host.address();
        chunkLength[chunks] = length;
        chunks++;
        return NvmeStatus.SUCCESS;
    }
}
