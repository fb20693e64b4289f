package dev.qpair.hca;

/** Where the device engine runs; chosen when the {@link Device} is opened. Same semantics in both. */
public enum DeviceMode {
    /** A dedicated busy-polling engine thread serves every QP of the device, fed by doorbells. */
    THREAD,
    /** Ringing a doorbell runs the engine in the posting thread: for machines with few cores. */
    INLINE
}
