package dev.qpair.memory;

/**
 * Memory-region access flags with the values of {@code enum ibv_access_flags}. Local read is
 * always granted and has no flag, as in verbs.
 */
public final class AccessFlags {

    /** {@code IBV_ACCESS_LOCAL_WRITE}: the local device may write (receives, RDMA READ responses). */
    public static final int LOCAL_WRITE = 1;
    /** {@code IBV_ACCESS_REMOTE_WRITE}: a peer may RDMA WRITE; requires {@link #LOCAL_WRITE}. */
    public static final int REMOTE_WRITE = 2;
    /** {@code IBV_ACCESS_REMOTE_READ}: a peer may RDMA READ. */
    public static final int REMOTE_READ = 4;
    /** {@code IBV_ACCESS_REMOTE_ATOMIC}: a peer may run atomics; requires {@link #LOCAL_WRITE}. */
    public static final int REMOTE_ATOMIC = 8;
    /** Every flag defined here. */
    public static final int ALL = LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ | REMOTE_ATOMIC;
    /** The flags that let a peer name the key on the wire. */
    public static final int ANY_REMOTE = REMOTE_WRITE | REMOTE_READ | REMOTE_ATOMIC;

    private AccessFlags() {
    }

    /**
     * Checks a set of flags to register with: only known bits, and the IBTA rule (o10-35.2.x, the
     * {@code ibv_reg_mr} EINVAL case) that remote write or remote atomic needs local write.
     *
     * @return {@code flags}
     * @throws IllegalArgumentException naming the argument, its value and the rule broken
     */
    public static int checkRegistration(int flags, String name) {
        if ((flags & ~ALL) != 0) {
            throw new IllegalArgumentException(name + " = 0x" + Integer.toHexString(flags)
                    + " has unknown bits 0x" + Integer.toHexString(flags & ~ALL) + ": allowed are 0x"
                    + Integer.toHexString(ALL) + " (LOCAL_WRITE|REMOTE_WRITE|REMOTE_READ|REMOTE_ATOMIC)");
        }
        if ((flags & (REMOTE_WRITE | REMOTE_ATOMIC)) != 0 && (flags & LOCAL_WRITE) == 0) {
            throw new IllegalArgumentException(name + " = " + toString(flags)
                    + ": REMOTE_WRITE or REMOTE_ATOMIC requires LOCAL_WRITE (IBTA; ibv_reg_mr fails with EINVAL)");
        }
        return flags;
    }

    /** The flags as {@code LOCAL_WRITE|REMOTE_READ}, or {@code 0} (local read only). */
    public static String toString(int flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder s = new StringBuilder();
        append(s, flags, LOCAL_WRITE, "LOCAL_WRITE");
        append(s, flags, REMOTE_WRITE, "REMOTE_WRITE");
        append(s, flags, REMOTE_READ, "REMOTE_READ");
        append(s, flags, REMOTE_ATOMIC, "REMOTE_ATOMIC");
        if ((flags & ~ALL) != 0) {
            append(s, flags, flags & ~ALL, "0x" + Integer.toHexString(flags & ~ALL));
        }
        return s.toString();
    }

    private static void append(StringBuilder s, int flags, int flag, String name) {
        if ((flags & flag) != 0) {
            if (!s.isEmpty()) {
                s.append('|');
            }
            s.append(name);
        }
    }
}
