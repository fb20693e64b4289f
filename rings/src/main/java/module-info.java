/**
 * Qpair rings: Descriptor layouts, power-of-two ring index math, owner-bit and phase-tag conventions, doorbell records and doorbell pages.
 */
module dev.qpair.rings {
    requires transitive dev.qpair.memory;

    exports dev.qpair.rings.nvme;
}
