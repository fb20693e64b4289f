/**
 * Qpair rings: descriptor layouts (send and receive WQEs, CQEs, doorbell records and doorbell
 * pages), power-of-two ring index math, the owner-bit convention, and the completion-queue ring
 * protocol. See {@link dev.qpair.rings} for the conventions.
 */
module dev.qpair.rings {
    requires transitive dev.qpair.memory;
    requires transitive dev.qpair.barriers;

    exports dev.qpair.rings;
    exports dev.qpair.rings.nvme;
}
