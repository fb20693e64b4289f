package dev.qpair.memory;

/**
 * The outcome of {@link KeyTable#lookup} and of the invalidation calls: {@link #OK} or the precise
 * reason for a refusal. Codes are {@code int}s so that the device's hot path allocates nothing.
 *
 * <p>A device engine turns a refusal into a completion status: for a local SGE
 * ({@code LOC_PROT_ERR} for key, PD, state and access refusals, {@code LOC_LEN_ERR} for
 * {@link #OUT_OF_BOUNDS}); for an access named by a peer's rkey, {@code REM_ACCESS_ERR}
 * ({@link #MISALIGNED_ATOMIC}: {@code REM_INV_REQ_ERR}).
 */
public final class AccessStatus {

    /** Granted: the result holds the translation. */
    public static final int OK = 0;
    /** The key's index is 0, beyond the table, or names no memory region. */
    public static final int BAD_KEY = 1;
    /** The index names a memory region whose key now has another 8-bit variant: the key is from an earlier registration. */
    public static final int STALE_KEY = 2;
    /** The memory region belongs to another protection domain than the one asking. */
    public static final int WRONG_PD = 3;
    /** The key is current but the region is not valid: invalidated, or allocated and never mapped. */
    public static final int INVALIDATED = 4;
    /** The region does not grant every access flag asked for. */
    public static final int ACCESS_DENIED = 5;
    /** Some byte of [addr, addr + length) is outside [iova, iova + length of the region), or the length is negative. */
    public static final int OUT_OF_BOUNDS = 6;
    /** A remote atomic that is not 8 bytes at an 8-byte-aligned iova. */
    public static final int MISALIGNED_ATOMIC = 7;
    /** An indirect region's element lies in a region that was invalidated, re-registered or deregistered since. */
    public static final int ELEMENT_INVALIDATED = 8;
    /** Invalidation asked of a region that is not a fast-registration one ({@code reg_mr} regions are deregistered). */
    public static final int NOT_INVALIDATABLE = 9;

    private static final String[] NAMES = {"OK", "BAD_KEY", "STALE_KEY", "WRONG_PD", "INVALIDATED",
        "ACCESS_DENIED", "OUT_OF_BOUNDS", "MISALIGNED_ATOMIC", "ELEMENT_INVALIDATED", "NOT_INVALIDATABLE"};

    private AccessStatus() {
    }

    /** The constant's name, or {@code UNKNOWN(n)}. */
    public static String name(int status) {
        return status >= 0 && status < NAMES.length ? NAMES[status] : "UNKNOWN(" + status + ")";
    }
}
